"""Poll followed feeds: conditional GET, parse, store, schedule the next poll.

Each feed is polled on its own; one broken feed only records its error and backs off. Network
work runs concurrently (POLL_CONCURRENCY feeds at once, PER_HOST_CONCURRENCY per host, in the
fetcher); parsing runs in a worker thread and database writes are serialised, so SQLite never
sees two writers from one poll. A feed gives up its fetch slot before its write, and unchanged
feeds (304, or the same bytes) are written together, one UPDATE a batch: a quiet feed costs its
request and little else.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, update
from sqlmodel import col, select

from bot.core import db
from bot.core.errors import FetchError, PodbriefError
from bot.core.models import Episode, Podcast
from bot.core.ports import Fetcher, FetchResult
from bot.core.services import Services
from bot.core.urlsafety import shown
from bot.feeds.chapters import parse_chapters
from bot.feeds.fetching import SafeFetcher
from bot.feeds.parse import ParsedFeed, parse_feed
from bot.feeds.poll_batches import UnchangedBatches
from bot.feeds.polling_state import (
    FeedSnapshot,
    Unchanged,
    body_hash,
    record_failure,
    record_gone,
    record_not_modified_many,
    record_parsed,
    snapshot,
)
from bot.feeds.store import claim_feed, due_feeds, get_podcast

log = logging.getLogger(__name__)

# How long a claimed feed stays claimed if its poller dies mid-poll.
CLAIM_LEASE = timedelta(minutes=15)


@dataclass
class PollOutcome:
    """What one feed's poll did."""

    podcast_id: int
    url: str
    status: str  # ok | not_modified | gone | failed
    title: str = ""
    new: int = 0
    updated: int = 0
    queued: int = 0
    error: str | None = None
    next_poll_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class _Fetched:
    """What a feed's request brought, for the write that records it."""

    kind: str  # unchanged | parsed | failed | gone
    result: FetchResult | None = None
    parsed: ParsedFeed | None = None
    error: str = ""
    retry_after: float | None = None
    full_fetch: bool = False


@dataclass
class PollReport:
    """Every outcome of one poll run."""

    outcomes: list[PollOutcome] = field(default_factory=list)

    @property
    def failed(self) -> int:
        """Feeds that failed or turned out gone."""
        return sum(1 for o in self.outcomes if o.status in ("failed", "gone"))

    @property
    def new(self) -> int:
        """Episodes stored for the first time."""
        return sum(o.new for o in self.outcomes)

    @property
    def queued(self) -> int:
        """Episodes queued for processing."""
        return sum(o.queued for o in self.outcomes)


async def poll_feeds(
    services: Services,
    *,
    fetcher: Fetcher | None = None,
    only_due: bool = True,
    on_progress: Callable[[PollOutcome], None] | None = None,
    podcast_ids: list[int] | None = None,
) -> PollReport:
    """Poll every due (or, with ``only_due=False``, every followed) feed; never raises per feed.

    ``podcast_ids`` polls exactly those feeds now (the demo polls its own sample feeds, which
    the scheduler never does).
    """
    if podcast_ids is not None:
        ids, only_due = list(podcast_ids), False
    else:
        with db.session_scope(services.engine) as session:
            ids = due_feeds(session, services.clock.now(), only_due=only_due)
    report = PollReport()
    if not ids:
        return report
    own = fetcher is None
    active: Fetcher = fetcher or SafeFetcher(services.settings)
    poller = _Poller(services, active, claim=only_due)
    # one read for every feed's request, not one per feed on the event loop
    feeds = {} if only_due else await asyncio.to_thread(poller.snapshots, ids)

    async def one(podcast_id: int) -> None:
        outcome = await poller.poll(podcast_id, feeds.get(podcast_id))
        if outcome is None:  # another poller has it
            return
        report.outcomes.append(outcome)
        if on_progress is not None:
            try:
                on_progress(outcome)
            except Exception:  # a display hiccup must not abort the poll
                log.exception("poll progress callback failed")

    try:
        await asyncio.gather(*(one(pid) for pid in ids))
    finally:
        if own:
            await active.aclose()  # type: ignore[attr-defined]
    report.outcomes.sort(key=lambda o: o.podcast_id)
    return report


async def poll_feed(services: Services, podcast_id: int, fetcher: Fetcher) -> PollOutcome:
    """Poll one feed now, whether or not it is due."""
    outcome = await _Poller(services, fetcher).poll(podcast_id)
    assert outcome is not None  # only claiming pollers skip
    return outcome


async def store_fetched(
    services: Services, podcast_id: int, result: FetchResult, parsed: ParsedFeed, fetcher: Fetcher
) -> PollOutcome:
    """Record a feed fetched and parsed elsewhere (the follow-time check) as a successful poll."""
    poller = _Poller(services, fetcher)
    with db.session_scope(services.engine) as session:
        feed = snapshot(get_podcast(session, podcast_id), services.clock.now(), services.settings)
    outcome, chapter_urls = await poller._write(poller._parsed, feed, result, parsed)
    await poller._fetch_chapters(chapter_urls)
    return outcome


class _Poller:
    """Shared state of one poll run: services, fetcher, fetch slots and the database write lock.

    A feed holds one of POLL_CONCURRENCY slots while it is claimed, fetched and parsed, and
    gives it up before its write: fetching goes on while writes queue.
    """

    def __init__(self, services: Services, fetcher: Fetcher, *, claim: bool = False) -> None:
        self.services = services
        self.fetcher = fetcher
        self.claim = claim
        self.write_lock = asyncio.Lock()
        self.slots = asyncio.Semaphore(max(services.settings.poll_concurrency, 1))
        self.unchanged: UnchangedBatches[PollOutcome] = UnchangedBatches(self._write_unchanged)

    @contextlib.asynccontextmanager
    async def _fetch_slot(self) -> AsyncIterator[None]:
        async with self.slots, self.unchanged.fetching():
            yield

    async def _write(self, func: Callable, *args, **kwargs):
        """Run a blocking database write in a thread, one at a time."""
        async with self.write_lock:
            return await asyncio.to_thread(func, *args, **kwargs)

    def snapshots(self, ids: list[int]) -> dict[int, FeedSnapshot]:
        """The request to send for each feed, read in one query."""
        now = self.services.clock.now()
        with db.session_scope(self.services.engine) as session:
            podcasts = session.exec(select(Podcast).where(col(Podcast.id).in_(ids))).all()
            return {p.id: snapshot(p, now, self.services.settings) for p in podcasts}

    async def poll(self, podcast_id: int, feed: FeedSnapshot | None = None) -> PollOutcome | None:
        """Poll one feed; None when claiming and another poller already has it."""
        try:
            async with self._fetch_slot():
                if self.claim and not await self._write(self._claim, podcast_id):
                    return None
                if feed is None:
                    feed = await asyncio.to_thread(lambda: self.snapshots([podcast_id])[podcast_id])
                fetched = await self._fetch(feed)
            return await self._record(feed, fetched)
        except Exception as exc:  # one feed's surprise must never stop the others
            log.exception("polling podcast %s failed unexpectedly", podcast_id)
            message = f"internal error: {exc.__class__.__name__}: {exc}".splitlines()[0]
        try:
            return await self._write(self._failed, podcast_id, message, None)
        except Exception:  # even the bookkeeping failed (database down): report, carry on
            log.exception("recording the failure of podcast %s failed", podcast_id)
            return PollOutcome(podcast_id=podcast_id, url="", status="failed", error=message)

    async def _fetch(self, feed: FeedSnapshot) -> _Fetched:
        """Request the feed and parse a new body (in a thread, so other fetches go on)."""
        try:
            result = await self.fetcher.get(
                feed.url,
                etag=feed.etag,
                last_modified=feed.last_modified,
                max_bytes=self.services.settings.max_feed_bytes,
            )
        except FetchError as exc:
            return _Fetched(
                "gone" if exc.status == 410 else "failed",
                error=str(exc),
                retry_after=exc.retry_after,
            )
        except PodbriefError as exc:  # UnsafeURL and friends
            return _Fetched("failed", error=str(exc))
        if result.status == 304:
            return _Fetched("unchanged", result)
        if feed.content_hash == body_hash(result.content) and not result.permanent_url:
            # the very bytes already stored (servers without validators): nothing to parse
            return _Fetched("unchanged", result, full_fetch=True)
        try:
            parsed = await asyncio.to_thread(
                parse_feed,
                result.content,
                url=result.url,
                content_type=result.headers.get("content-type"),
            )
        except PodbriefError as exc:
            return _Fetched("failed", error=str(exc))
        return _Fetched("parsed", result, parsed)

    async def _record(self, feed: FeedSnapshot, fetched: _Fetched) -> PollOutcome:
        """Write what the fetch found (then fetch the chapters of new episodes)."""
        if fetched.kind == "unchanged":
            assert fetched.result is not None
            unchanged = Unchanged(feed.podcast_id, fetched.result.headers, fetched.full_fetch)
            return await self.unchanged.record(unchanged)
        if fetched.kind == "gone":
            return await self._write(self._gone, feed, fetched.error)
        if fetched.kind == "failed":
            return await self._write(
                self._failed, feed.podcast_id, fetched.error, fetched.retry_after
            )
        outcome, chapter_urls = await self._write(
            self._parsed, feed, fetched.result, fetched.parsed
        )
        if chapter_urls:
            async with self._fetch_slot():
                await self._fetch_chapters(chapter_urls)
        return outcome

    # --- blocking writes (run in a thread under the write lock) -------------------------------

    def _claim(self, podcast_id: int) -> bool:
        with db.session_scope(self.services.engine) as session:
            return claim_feed(session, podcast_id, self.services.clock.now(), CLAIM_LEASE)

    def _outcome(self, podcast, status: str, **extra) -> PollOutcome:
        return PollOutcome(
            podcast_id=podcast.id,
            url=podcast.url,
            status=status,
            title=podcast.title,
            error=podcast.last_error,
            next_poll_at=podcast.next_poll_at,
            **extra,
        )

    def _failed(self, podcast_id: int, message: str, retry_after: float | None) -> PollOutcome:
        with db.session_scope(self.services.engine) as session:
            podcast = get_podcast(session, podcast_id)
            record_failure(
                podcast,
                message,
                self.services.clock.now(),
                self.services.settings,
                retry_after=retry_after,
            )
            session.add(podcast)
            # why INFO: the failure is recorded on the feed and shown by `status`, `feeds poll`
            # and App Home; a WARNING here printed every error a second time
            log.info("feed %s (%s) failed: %s", podcast.id, shown(podcast.url), message)
            return self._outcome(podcast, "failed")

    def _gone(self, feed: FeedSnapshot, message: str) -> PollOutcome:
        with db.session_scope(self.services.engine) as session:
            podcast = get_podcast(session, feed.podcast_id)
            record_gone(podcast, message, self.services.clock.now())
            session.add(podcast)
            return self._outcome(podcast, "gone")

    async def _write_unchanged(self, batch: list[Unchanged]) -> list[PollOutcome]:
        return await self._write(self._not_modified, batch)

    def _not_modified(self, batch: list[Unchanged]) -> list[PollOutcome]:
        now, settings = self.services.clock.now(), self.services.settings
        with db.session_scope(self.services.engine) as session:
            rows = record_not_modified_many(session, batch, now, settings)
        return [
            PollOutcome(
                podcast_id=row.podcast_id,
                url=row.url,
                status="not_modified",
                title=row.title,
                next_poll_at=row.next_poll_at,
            )
            for row in rows
        ]

    def _parsed(self, feed: FeedSnapshot, result, parsed) -> tuple[PollOutcome, dict[int, str]]:
        with db.session_scope(self.services.engine) as session:
            podcast = get_podcast(session, feed.podcast_id)
            stored = record_parsed(
                session, podcast, result, parsed, self.services.clock.now(), self.services.settings
            )
            outcome = self._outcome(
                podcast, "ok", new=stored.new, updated=stored.updated, queued=stored.queued
            )
            return outcome, stored.chapter_urls

    # --- chapters -------------------------------------------------------------------------------

    async def _fetch_chapters(self, chapter_urls: dict[int, str]) -> None:
        """Fetch chapters JSON for these episodes; a failure is logged and never fails the poll.

        Each distinct URL is fetched once: a feed may point every episode at one document.
        """
        try:
            urls = list(dict.fromkeys(chapter_urls.values()))
            found = dict(zip(urls, await asyncio.gather(*map(self._chapters, urls)), strict=True))
            fetched = {eid: found[url] for eid, url in chapter_urls.items() if found[url]}
            if fetched:
                await self._write(self._store_chapters, fetched)
        except Exception:  # chapters are a nicety; the poll itself already succeeded
            log.exception("chapters of episodes %s failed", list(chapter_urls))

    async def _chapters(self, url: str) -> list[dict]:
        """The chapters at ``url``; none when they cannot be fetched or read."""
        try:
            fetched = await self.fetcher.get(url, max_bytes=self.services.settings.max_feed_bytes)
            return parse_chapters(fetched.content)
        except PodbriefError as exc:
            log.info("chapters at %s unavailable: %s", shown(url), exc)
            return []

    def _store_chapters(self, chapters_by_episode: dict[int, list[dict]]) -> None:
        """One UPDATE statement for all of a feed's chapters."""
        table = Episode.__table__  # type: ignore[attr-defined]
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(chapters=bindparam("b_chapters"), updated_at=self.services.clock.now())
        )
        rows = [{"b_id": eid, "b_chapters": ch} for eid, ch in chapters_by_episode.items()]
        with db.session_scope(self.services.engine) as session:
            session.connection().execute(statement, rows)
