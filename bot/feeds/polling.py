"""Poll followed feeds: conditional GET, parse, store, schedule the next poll.

Each feed is polled on its own; one broken feed only records its error and backs off. Network
work runs concurrently (POLL_CONCURRENCY feeds at once, PER_HOST_CONCURRENCY per host, in the
fetcher); parsing runs in a worker thread and database writes are serialised, so SQLite never
sees two writers from one poll.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

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
from bot.feeds.polling_state import (
    FeedSnapshot,
    body_hash,
    record_failure,
    record_gone,
    record_not_modified,
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
    slots = asyncio.Semaphore(max(services.settings.poll_concurrency, 1))
    poller = _Poller(services, active, claim=only_due)
    # one read for every feed's request, not one per feed on the event loop
    feeds = {} if only_due else await asyncio.to_thread(poller.snapshots, ids)

    async def one(podcast_id: int) -> None:
        async with slots:
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
    outcome, chapter_ids = await poller._write(poller._parsed, feed, result, parsed)
    await poller._fetch_chapters(chapter_ids)
    return outcome


@dataclass(frozen=True, slots=True)
class _Unchanged:
    """A feed that answered 304, or with the very bytes already stored (``full_fetch``)."""

    feed: FeedSnapshot
    headers: dict[str, str]
    full_fetch: bool


class _Poller:
    """Shared state of one poll run: services, fetcher and the database write lock."""

    def __init__(self, services: Services, fetcher: Fetcher, *, claim: bool = False) -> None:
        self.services = services
        self.fetcher = fetcher
        self.claim = claim
        self.write_lock = asyncio.Lock()
        # unchanged feeds (304, or the same bytes) are recorded together, one transaction each
        # batch: a poll of mostly-quiet feeds costs a round trip per feed and little else
        self._unchanged: list[tuple[_Unchanged, asyncio.Future[PollOutcome]]] = []
        self._flusher: asyncio.Task | None = None

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
            if self.claim and not await self._write(self._claim, podcast_id):
                return None
            return await self._poll(podcast_id, feed)
        except Exception as exc:  # one feed's surprise must never stop the others
            log.exception("polling podcast %s failed unexpectedly", podcast_id)
            message = f"internal error: {exc.__class__.__name__}: {exc}".splitlines()[0]
        try:
            return await self._write(self._failed, podcast_id, message, None)
        except Exception:  # even the bookkeeping failed (database down): report, carry on
            log.exception("recording the failure of podcast %s failed", podcast_id)
            return PollOutcome(podcast_id=podcast_id, url="", status="failed", error=message)

    async def _poll(self, podcast_id: int, feed: FeedSnapshot | None) -> PollOutcome:
        if feed is None:
            feed = await asyncio.to_thread(lambda: self.snapshots([podcast_id])[podcast_id])
        try:
            result = await self.fetcher.get(
                feed.url,
                etag=feed.etag,
                last_modified=feed.last_modified,
                max_bytes=self.services.settings.max_feed_bytes,
            )
        except FetchError as exc:
            if exc.status == 410:
                return await self._write(self._gone, feed, str(exc))
            return await self._write(self._failed, podcast_id, str(exc), exc.retry_after)
        except PodbriefError as exc:  # UnsafeURL and friends
            return await self._write(self._failed, podcast_id, str(exc), None)
        if result.status == 304:
            return await self._record_unchanged(_Unchanged(feed, result.headers, False))
        if feed.content_hash == body_hash(result.content) and not result.permanent_url:
            # the very bytes already stored (servers without validators): nothing to parse
            return await self._record_unchanged(_Unchanged(feed, result.headers, True))
        try:
            parsed = await asyncio.to_thread(
                parse_feed,
                result.content,
                url=result.url,
                content_type=result.headers.get("content-type"),
            )
        except PodbriefError as exc:
            return await self._write(self._failed, podcast_id, str(exc), None)
        outcome, chapter_ids = await self._write(self._parsed, feed, result, parsed)
        await self._fetch_chapters(chapter_ids)
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

    async def _record_unchanged(self, unchanged: _Unchanged) -> PollOutcome:
        future: asyncio.Future[PollOutcome] = asyncio.get_running_loop().create_future()
        self._unchanged.append((unchanged, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_unchanged())
        return await future

    async def _flush_unchanged(self) -> None:
        """Write what is waiting in one transaction; what arrives meanwhile goes in the next."""
        while self._unchanged:
            batch, self._unchanged = self._unchanged, []
            try:
                outcomes = await self._write(self._not_modified, [u for u, _ in batch])
            except Exception as exc:  # each feed's poll records its own failure
                for _, future in batch:
                    future.set_exception(exc)
                continue
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                future.set_result(outcome)

    def _not_modified(self, batch: list[_Unchanged]) -> list[PollOutcome]:
        now, settings = self.services.clock.now(), self.services.settings
        with db.session_scope(self.services.engine) as session:
            ids = [u.feed.podcast_id for u in batch]
            podcasts = {
                p.id: p for p in session.exec(select(Podcast).where(col(Podcast.id).in_(ids)))
            }
            outcomes = []
            for unchanged in batch:
                podcast = podcasts[unchanged.feed.podcast_id]
                record_not_modified(
                    podcast, unchanged.headers, now, settings, full_fetch=unchanged.full_fetch
                )
                session.add(podcast)
                outcomes.append(self._outcome(podcast, "not_modified"))
            return outcomes

    def _parsed(self, feed: FeedSnapshot, result, parsed) -> tuple[PollOutcome, list[int]]:
        with db.session_scope(self.services.engine) as session:
            podcast = get_podcast(session, feed.podcast_id)
            stored = record_parsed(
                session, podcast, result, parsed, self.services.clock.now(), self.services.settings
            )
            outcome = self._outcome(
                podcast, "ok", new=stored.new, updated=stored.updated, queued=stored.queued
            )
            return outcome, stored.chapter_ids

    # --- chapters -------------------------------------------------------------------------------

    async def _fetch_chapters(self, episode_ids: list[int]) -> None:
        """Fetch chapters JSON for these episodes; a failure is logged and never fails the poll."""
        try:
            with db.session_scope(self.services.engine) as session:
                urls = {
                    eid: getattr(session.get(Episode, eid), "chapters_url", None)
                    for eid in episode_ids
                }
            found = await asyncio.gather(
                *(self._chapters(eid, url) for eid, url in urls.items() if url)
            )
            fetched = {eid: chapters for eid, chapters in found if chapters}
            if fetched:
                await self._write(self._store_chapters, fetched)
        except Exception:  # chapters are a nicety; the poll itself already succeeded
            log.exception("chapters of episodes %s failed", episode_ids)

    async def _chapters(self, episode_id: int, url: str) -> tuple[int, list[dict]]:
        """(episode id, chapters); no chapters when they cannot be fetched or read."""
        try:
            fetched = await self.fetcher.get(url, max_bytes=self.services.settings.max_feed_bytes)
            return episode_id, parse_chapters(fetched.content)
        except PodbriefError as exc:
            log.info("chapters of episode %s unavailable: %s", episode_id, exc)
            return episode_id, []

    def _store_chapters(self, chapters_by_episode: dict[int, list[dict]]) -> None:
        """One transaction for all of a feed's chapters."""
        with db.session_scope(self.services.engine) as session:
            for episode_id, chapters in chapters_by_episode.items():
                episode = session.get(Episode, episode_id)
                if episode is not None:
                    episode.chapters = chapters
                    episode.updated_at = self.services.clock.now()
                    session.add(episode)
