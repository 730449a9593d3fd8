"""SafeFetcher: the one way podbrief fetches a remote URL (feeds, chapters, transcripts).

Redirects are followed here, one hop at a time, each hop checked by ``check_url`` and connected
through ``checked_connector`` (which checks the address actually dialled). Bodies are capped,
timeouts are explicit, requests carry our User-Agent, and each host gets at most
PER_HOST_CONCURRENCY requests at once.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import defaultdict
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType

import aiohttp
import httpx
import yarl

from bot.core.config import Settings
from bot.core.errors import FetchError, UnsafeURL
from bot.core.ports import FetchResult
from bot.core.urlsafety import check_url, shown
from bot.feeds.connecting import (
    MAX_HEADER_LINE,
    acknowledge_now,
    checked_connector,
    host_key,
)

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
REDIRECTS = {301, 302, 303, 307, 308}
PERMANENT = {301, 308}
MAX_RETRY_AFTER_S = 7 * 24 * 3600.0
CHECKED_URLS = 8192  # URL checks remembered (every poll checks the same feed URLs again)
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


@functools.lru_cache(maxsize=CHECKED_URLS)
def checked_url(url: str, allow_private: bool, allow_hosts: frozenset[str]) -> tuple[str, str]:
    """(normalised URL, host) if a fetcher with this policy may request ``url``, else UnsafeURL.

    Remembered, because ``check_url`` depends on nothing but its arguments (no DNS: addresses
    are checked when dialled) and parsing URLs was a tenth of a quiet poll. Refusals are not
    remembered; they raise anew each time.
    """
    normalised = check_url(url, allow_private=True)  # shape first; address policy below
    parsed = httpx.URL(normalised)
    if host_key(parsed.host, parsed.port or _default_port(parsed.scheme)) in allow_hosts:
        return normalised, parsed.host
    return check_url(url, allow_private=allow_private), parsed.host


class SafeFetcher:
    """Fetch public http(s) URLs with caps, timeouts, politeness and per-hop safety checks.

    ``allow_private`` overrides ALLOW_PRIVATE_URLS (the demo serves its feeds on 127.0.0.1);
    ``allow_hosts`` lists exact ``host:port`` entries let through unchecked (a test server),
    while every other hop is still checked. Use one fetcher per event loop: its connection
    pool is opened by the first request, in that request's loop.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        allow_private: bool | None = None,
        allow_hosts: set[str] | frozenset[str] = frozenset(),
    ) -> None:
        self.settings = settings
        self.allow_private = settings.allow_private_urls if allow_private is None else allow_private
        self.allow_hosts = frozenset(h.lower() for h in allow_hosts)
        self._session: aiohttp.ClientSession | None = None
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
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    def _client(self) -> aiohttp.ClientSession:
        """The pooled session, opened on first use (aiohttp binds it to the running loop)."""
        if self._session is None:
            settings = self.settings
            self._session = aiohttp.ClientSession(
                connector=checked_connector(
                    allow_private=self.allow_private,
                    allow_hosts=self.allow_hosts,
                    max_connections=max(settings.poll_concurrency * 2, 10),
                    resolve_timeout=settings.connect_timeout_s,
                ),
                # no pool timeout: waiting for a free connection is bounded by the deadline
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    sock_connect=settings.connect_timeout_s,
                    sock_read=settings.read_timeout_s,
                ),
                headers={"User-Agent": settings.user_agent, "Accept": ACCEPT},
                trust_env=False,  # an environment proxy would dial addresses we never checked
                max_line_size=MAX_HEADER_LINE,
                max_field_size=MAX_HEADER_LINE,
            )
        return self._session

    def check(self, url: str) -> str:
        """The normalised URL if this fetcher may request it, else UnsafeURL."""
        return checked_url(url, self.allow_private, self.allow_hosts)[0]

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
        current, host = checked_url(url, self.allow_private, self.allow_hosts)
        permanent: str | None = None
        all_permanent = True
        for _hop in range(MAX_REDIRECTS + 1):
            status, location, result = await self._request(current, host, headers, limit)
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
            current, host = checked_url(location, self.allow_private, self.allow_hosts)
            permanent = current if all_permanent else None
        raise FetchError(f"too many redirects (more than {MAX_REDIRECTS}) from {shown(url)}")

    async def _request(
        self, url: str, host: str, headers: dict[str, str], limit: int
    ) -> tuple[int, str | None, FetchResult | None]:
        """One hop: (status, redirect target or None, result when not a redirect)."""
        async with self._host_slots[host]:
            try:
                async with asyncio.timeout(self.settings.fetch_deadline_s):
                    # encoded=True: send the URL exactly as check_url normalised it
                    target = yarl.URL(url, encoded=True)
                    async with self._client().get(
                        target, headers=headers, allow_redirects=False
                    ) as response:
                        return await self._handle(url, response, limit)
            except aiohttp.ServerTimeoutError as exc:  # connect or read timeout (before ours)
                raise FetchError(
                    f"timed out fetching {shown(url)} ({type(exc).__name__})"
                ) from None
            except TimeoutError:
                raise FetchError(
                    f"timed out fetching {shown(url)} (over {self.settings.fetch_deadline_s:g} s)"
                ) from None
            except (aiohttp.ClientError, OSError) as exc:
                raise FetchError(f"could not fetch {shown(url)}: {_reason(exc)}") from None

    async def _handle(
        self, url: str, response: aiohttp.ClientResponse, limit: int
    ) -> tuple[int, str | None, FetchResult | None]:
        status = response.status
        if status in REDIRECTS:
            location = response.headers.get("location")
            if not location:
                raise FetchError(f"HTTP {status} without Location from {shown(url)}", status=status)
            return status, str(httpx.URL(url).join(location)), None
        headers = _header_dict(response)
        if status == 304:
            # why read an empty body: an unread response closes its connection, and a poll of
            # quiet feeds would then reconnect for every 304
            await _read_capped(url, response, limit)
            return status, None, FetchResult(status=304, url=url, headers=headers)
        if status >= 400 or status < 200:
            raise _status_error(url, response)
        acknowledge_now(response)
        content = await _read_capped(url, response, limit)
        return status, None, FetchResult(status=status, url=url, content=content, headers=headers)


def _header_dict(response: aiohttp.ClientResponse) -> dict[str, str]:
    """Headers by lower-case name; a repeated header's values joined with ", " (as httpx did)."""
    headers: dict[str, str] = {}
    for key, value in response.headers.items():
        name = key.lower()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


async def _read_capped(url: str, response: aiohttp.ClientResponse, limit: int) -> bytes:
    """The body, refusing it as soon as it (declared or decoded) exceeds ``limit`` bytes."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FetchError(f"{shown(url)} is too large ({int(declared)} bytes, limit {limit})")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_any():
        size += len(chunk)
        if size > limit:
            raise FetchError(f"{shown(url)} is too large (over {limit} bytes)")
        chunks.append(chunk)
    return b"".join(chunks)


def _status_error(url: str, response: aiohttp.ClientResponse) -> FetchError:
    status = response.status
    retry_after = None
    if status in (429, 503):
        retry_after = parse_retry_after(response.headers.get("retry-after"))
    reason = response.reason or "error"
    return FetchError(
        f"HTTP {status} {reason} from {shown(url)}", status=status, retry_after=retry_after
    )


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _reason(exc: BaseException) -> str:
    """What went wrong, in one line and without the URL (a private feed's token is in it)."""
    if isinstance(exc, aiohttp.ClientResponseError):  # its str() ends with the full URL
        return f"invalid response: {_one_line(Exception(exc.message))}"
    if isinstance(exc, aiohttp.InvalidURL):  # its str() is the URL
        return "invalid URL"
    return _one_line(exc)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


__all__ = ["FetchError", "SafeFetcher", "UnsafeURL", "parse_retry_after"]
