"""Following a feed: fetch it first (through SafeFetcher), say what it is, queue its newest.

``follow_feed`` is what `podbrief feeds add` and the chat's `follow` call. A URL that does not
answer with a feed is refused in plain words and nothing is followed (unless ``anyway``); a
podcast web page that links its feed (``<link rel="alternate" type="application/rss+xml">``)
follows that feed.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urljoin

from bot.core import db
from bot.core.errors import FetchError, InvalidInput, PodbriefError
from bot.core.ports import Fetcher, FetchResult
from bot.core.services import Services
from bot.core.sync import run_coroutine
from bot.core.urlsafety import check_url, shown, shown_name
from bot.feeds.fetching import SafeFetcher
from bot.feeds.health import plain_error
from bot.feeds.parse import ParsedFeed, ParsedItem, parse_feed
from bot.feeds.polling import store_fetched
from bot.feeds.store import add_feed, subscription_url

log = logging.getLogger(__name__)

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")


class FeedCheckFailed(InvalidInput):
    """The URL did not lead to a feed; ``reason`` says why in plain words."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"can't follow {shown(url)}: {reason}")
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class FeedCheck:
    """A fetched and parsed feed, before anything is stored."""

    url: str  # the feed itself (after redirects and page discovery)
    result: FetchResult
    parsed: ParsedFeed

    @property
    def newest(self) -> ParsedItem | None:
        """The most recent episode (undated ones count as oldest)."""
        floor = datetime.min.replace(tzinfo=UTC)
        return max(self.parsed.items, key=lambda i: i.published_at or floor, default=None)


@dataclass(frozen=True)
class FollowResult:
    """What following did: the podcast, what its feed holds and what was queued."""

    podcast_id: int
    name: str
    already: bool = False  # it was followed before
    episodes: int = 0
    newest_title: str | None = None
    newest_at: datetime | None = None
    queued: int = 0
    unchecked: str | None = None  # followed with `anyway` although the check failed: why

    def to_json(self) -> dict:
        """Fields added to the ``feeds add --json`` shape."""
        return {
            "episodes_in_feed": self.episodes,
            "newest": self.newest_title,
            "newest_at": self.newest_at.isoformat() if self.newest_at else None,
            "queued": self.queued,
            "checked": self.unchecked is None,
            "warning": self.unchecked,
        }


async def check_feed(url: str, fetcher: Fetcher, *, max_bytes: int) -> FeedCheck:
    """Fetch ``url`` and parse it as a feed (or the feed a web page links); FeedCheckFailed."""
    result = await _fetch(url, fetcher, max_bytes)
    try:
        return FeedCheck(url=result.url, result=result, parsed=_parse(result))
    except InvalidInput:
        linked = linked_feed(result.content, base=result.url)
        if linked is None:
            raise FeedCheckFailed(url, _not_a_feed(result)) from None
    found = await _fetch(linked, fetcher, max_bytes)
    try:
        return FeedCheck(url=found.url, result=found, parsed=_parse(found))
    except InvalidInput:
        raise FeedCheckFailed(url, "the page links a feed, but that is not a feed") from None


def follow_feed(
    services: Services, url: str, *, fetcher: Fetcher | None = None, anyway: bool = False
) -> FollowResult:
    """Check the feed, then follow it and store its episodes (queuing the newest few).

    On a failed check nothing is followed and FeedCheckFailed says why; with ``anyway`` the
    URL (if safe) is followed unchecked, for a feed that is down right now.
    """
    target = check_url(subscription_url(url), allow_private=True)  # shape only; fetcher decides
    try:
        return run_coroutine(_follow_checked(services, target, fetcher))
    except FeedCheckFailed as failed:
        if not anyway:
            raise
        return _follow_unchecked(services, url, failed.reason)


async def _follow_checked(services: Services, url: str, fetcher: Fetcher | None) -> FollowResult:
    active: Fetcher = fetcher or SafeFetcher(services.settings)
    try:
        check = await check_feed(url, active, max_bytes=services.settings.max_feed_bytes)
        podcast_id, already = await asyncio.to_thread(_add, services, check.url)
        outcome = await store_fetched(services, podcast_id, check.result, check.parsed, active)
    finally:
        # why close a fetcher we were given too: this call runs in its own event loop
        # (run_coroutine), and a fetcher's connections belong to the loop that opened them
        if isinstance(active, SafeFetcher):
            await active.aclose()
    newest = check.newest
    return FollowResult(
        podcast_id=podcast_id,
        name=shown_name(check.parsed.title, check.url),
        already=already,
        episodes=len(check.parsed.items),
        newest_title=newest.title if newest else None,
        newest_at=newest.published_at if newest else None,
        queued=outcome.queued,
    )


def _add(services: Services, url: str) -> tuple[int, bool]:
    """Follow the checked URL; (podcast id, whether it was already followed and polled)."""
    with db.session_scope(services.engine) as session:
        # the fetcher has vetted every hop of this URL under its own policy
        podcast = add_feed(session, url, settings=services.settings, allow_private=True)
        already = podcast.last_success_at is not None
        assert podcast.id is not None
        return podcast.id, already


def _follow_unchecked(services: Services, url: str, reason: str) -> FollowResult:
    with db.session_scope(services.engine) as session:
        podcast = add_feed(session, url, settings=services.settings)
        assert podcast.id is not None
        return FollowResult(
            podcast_id=podcast.id, name=shown_name(podcast.title, podcast.url), unchecked=reason
        )


async def _fetch(url: str, fetcher: Fetcher, max_bytes: int) -> FetchResult:
    try:
        return await fetcher.get(url, max_bytes=max_bytes)
    except FetchError as exc:
        raise FeedCheckFailed(url, plain_error(str(exc)) or str(exc)) from None
    except PodbriefError as exc:  # UnsafeURL: a refused address or scheme
        raise FeedCheckFailed(url, plain_error(str(exc)) or str(exc)) from None


def _parse(result: FetchResult) -> ParsedFeed:
    return parse_feed(
        result.content, url=result.url, content_type=result.headers.get("content-type")
    )


def _not_a_feed(result: FetchResult) -> str:
    kind = (result.headers.get("content-type") or "").split(";")[0].strip()
    if kind == "text/html":
        return "that is a web page, not a podcast feed, and it links no RSS feed"
    return "that is not a podcast feed (RSS or Atom)"


class _FeedLinks(HTMLParser):
    """Collects ``<link rel="alternate" type="application/rss+xml" href="…">`` targets."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link":
            return
        values = {name.lower(): (value or "") for name, value in attrs}
        rels = values.get("rel", "").lower().split()
        is_feed = "alternate" in rels and values.get("type", "").lower() in FEED_TYPES
        if is_feed and values.get("href"):
            self.found.append(values["href"].strip())


def linked_feed(content: bytes, *, base: str) -> str | None:
    """The first feed a web page links in its head, as an absolute URL; None when none."""
    parser = _FeedLinks()
    try:
        parser.feed(content[:2_000_000].decode("utf-8", errors="replace"))
    except Exception:  # HTMLParser is lenient; anything escaping it means "no link found"
        log.debug("could not read %s as HTML", shown(base))
        return None
    return urljoin(base, parser.found[0]) if parser.found else None
