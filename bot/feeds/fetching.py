"""SafeFetcher: the one way podbrief fetches a remote URL (feeds, chapters, transcripts).

Redirects are followed here, one hop at a time, each hop checked by ``check_url`` and connected
through ``checked_transport`` (which checks the address actually dialled). Bodies are capped,
timeouts are explicit, requests carry our User-Agent, and each host gets at most
PER_HOST_CONCURRENCY requests at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType

import httpx

from bot.core.config import Settings
from bot.core.errors import FetchError, UnsafeURL
from bot.core.ports import FetchResult
from bot.core.urlsafety import check_url, shown
from bot.feeds.connecting import checked_transport

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
REDIRECTS = {301, 302, 303, 307, 308}
PERMANENT = {301, 308}
MAX_RETRY_AFTER_S = 7 * 24 * 3600.0
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None if absent."""
    if not value:
        return None
    value = value.strip()
    try:
        return min(max(float(value), 0.0), MAX_RETRY_AFTER_S)
    except ValueError:
        pass  # not seconds: an HTTP date
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(delta, 0.0), MAX_RETRY_AFTER_S)


class SafeFetcher:
    """Fetch public http(s) URLs with caps, timeouts, politeness and per-hop safety checks.

    ``allow_private`` overrides ALLOW_PRIVATE_URLS (the demo serves its feeds on 127.0.0.1);
    ``allow_hosts`` lists exact ``host:port`` entries let through unchecked (a test server),
    while every other hop is still checked. A custom ``transport`` (tests, benches) replaces
    the connect-time address check, so only URL-level checks remain. Use one fetcher per
    event loop.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        allow_private: bool | None = None,
        allow_hosts: set[str] | frozenset[str] = frozenset(),
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.allow_private = settings.allow_private_urls if allow_private is None else allow_private
        self.allow_hosts = frozenset(h.lower() for h in allow_hosts)
        timeout = httpx.Timeout(
            settings.read_timeout_s, connect=settings.connect_timeout_s, pool=None
        )
        self._client = httpx.AsyncClient(
            transport=transport
            or checked_transport(
                allow_private=self.allow_private,
                allow_hosts=self.allow_hosts,
                max_connections=max(settings.poll_concurrency * 2, 10),
            ),
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,  # an environment proxy would dial addresses we never checked
            headers={"User-Agent": settings.user_agent, "Accept": ACCEPT},
        )
        self._host_slots: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(max(settings.per_host_concurrency, 1))
        )

    async def __aenter__(self) -> SafeFetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self._client.aclose()

    def check(self, url: str) -> str:
        """The normalised URL if this fetcher may request it, else UnsafeURL."""
        normalised = check_url(url, allow_private=True)  # shape first; address policy below
        parsed = httpx.URL(normalised)
        if f"{parsed.host}:{parsed.port or _default_port(parsed.scheme)}" in self.allow_hosts:
            return normalised
        return check_url(url, allow_private=self.allow_private)

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
    ) -> FetchResult:
        """GET ``url`` (conditional with ``etag``/``last_modified``); UnsafeURL or FetchError."""
        limit = max_bytes or self.settings.max_feed_bytes
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = self.check(url)
        permanent: str | None = None
        all_permanent = True
        for _hop in range(MAX_REDIRECTS + 1):
            status, location, result = await self._request(current, headers, limit)
            if location is None:
                assert result is not None
                moved = permanent if all_permanent and permanent else None
                return FetchResult(
                    status=result.status,
                    url=current,
                    content=result.content,
                    headers=result.headers,
                    permanent_url=moved,
                )
            all_permanent = all_permanent and status in PERMANENT
            current = self.check(location)
            permanent = current if all_permanent else None
        raise FetchError(f"too many redirects (more than {MAX_REDIRECTS}) from {shown(url)}")

    async def _request(
        self, url: str, headers: dict[str, str], limit: int
    ) -> tuple[int, str | None, FetchResult | None]:
        """One hop: (status, redirect target or None, result when not a redirect)."""
        host = httpx.URL(url).host
        async with self._host_slots[host]:
            try:
                async with asyncio.timeout(self.settings.fetch_deadline_s):
                    async with self._client.stream("GET", url, headers=headers) as response:
                        return await self._handle(url, response, limit)
            except TimeoutError:
                raise FetchError(
                    f"timed out fetching {shown(url)} (over {self.settings.fetch_deadline_s:g} s)"
                ) from None
            except httpx.TimeoutException as exc:
                raise FetchError(
                    f"timed out fetching {shown(url)} ({type(exc).__name__})"
                ) from None
            except httpx.HTTPError as exc:
                raise FetchError(f"could not fetch {shown(url)}: {_one_line(exc)}") from None
            except OSError as exc:
                raise FetchError(f"could not fetch {shown(url)}: {_one_line(exc)}") from None

    async def _handle(
        self, url: str, response: httpx.Response, limit: int
    ) -> tuple[int, str | None, FetchResult | None]:
        status = response.status_code
        if status in REDIRECTS:
            location = response.headers.get("location")
            if not location:
                raise FetchError(f"HTTP {status} without Location from {shown(url)}", status=status)
            return status, str(response.url.join(location)), None
        headers = {k.lower(): v for k, v in response.headers.items()}
        if status == 304:
            # why read an empty body: an unread response closes its connection, and a poll of
            # quiet feeds would then reconnect for every 304
            await _read_capped(url, response, limit)
            return status, None, FetchResult(status=304, url=url, headers=headers)
        if status >= 400 or status < 200:
            raise _status_error(url, response)
        content = await _read_capped(url, response, limit)
        return status, None, FetchResult(status=status, url=url, content=content, headers=headers)


async def _read_capped(url: str, response: httpx.Response, limit: int) -> bytes:
    """The body, refusing it as soon as it (declared or decoded) exceeds ``limit`` bytes."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FetchError(f"{shown(url)} is too large ({int(declared)} bytes, limit {limit})")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise FetchError(f"{shown(url)} is too large (over {limit} bytes)")
        chunks.append(chunk)
    return b"".join(chunks)


def _status_error(url: str, response: httpx.Response) -> FetchError:
    status = response.status_code
    retry_after = None
    if status in (429, 503):
        retry_after = parse_retry_after(response.headers.get("retry-after"))
    reason = response.reason_phrase or "error"
    return FetchError(
        f"HTTP {status} {reason} from {shown(url)}", status=status, retry_after=retry_after
    )


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


__all__ = ["FetchError", "SafeFetcher", "UnsafeURL", "parse_retry_after"]
