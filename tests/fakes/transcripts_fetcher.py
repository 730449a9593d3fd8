"""A fake ``bot.core.ports.Fetcher`` serving canned transcript bytes, recording every call."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.errors import FetchError
from bot.core.ports import FetchResult


@dataclass
class FakeTranscriptFetcher:
    """URL → bytes (200), int (that HTTP status) or an exception to raise."""

    routes: dict[str, bytes | int | Exception] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    calls: list[tuple[str, int | None]] = field(default_factory=list)
    closed: bool = False

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
    ) -> FetchResult:
        self.calls.append((url, max_bytes))
        route = self.routes.get(url, 404)
        if isinstance(route, Exception):
            raise route
        if isinstance(route, int):
            return FetchResult(status=route, url=url)
        if max_bytes is not None and len(route) > max_bytes:
            raise FetchError(f"response larger than {max_bytes} bytes")
        return FetchResult(status=200, url=url, content=route, headers=self.headers.get(url, {}))

    async def aclose(self) -> None:
        self.closed = True
