"""A feed's polling state: what the next request sends, and what each outcome records."""

from __future__ import annotations

import hashlib
import logging
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

from sqlalchemy import bindparam, case, func, update
from sqlalchemy import select as core_select
from sqlalchemy.orm import object_session
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from bot.core.config import Settings
from bot.core.errors import UnsafeURL
from bot.core.models import Podcast
from bot.core.ports import FetchResult
from bot.core.urlsafety import check_url, shown
from bot.feeds.parse import ParsedFeed
from bot.feeds.store import REMOVED, StoreResult, store_items

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(days=1)


@dataclass(frozen=True)
class FeedSnapshot:
    """What a poll needs from the row, read before the (slow) fetch."""

    podcast_id: int
    url: str
    etag: str | None
    last_modified: str | None
    content_hash: str | None = None  # of the last body parsed and stored


def body_hash(content: bytes) -> str:
    """The fingerprint of a feed body: the same bytes need no second parse."""
    return hashlib.blake2b(content, digest_size=16).hexdigest()


def snapshot(podcast: Podcast, now: datetime, settings: Settings) -> FeedSnapshot:
    """The request to send: conditional, unless a full fetch is due (FULL_FETCH_HOURS)."""
    full_due = podcast.last_full_fetch_at is None or now - podcast.last_full_fetch_at >= timedelta(
        hours=settings.full_fetch_hours
    )
    assert podcast.id is not None
    return FeedSnapshot(
        podcast_id=podcast.id,
        url=podcast.url,
        etag=None if full_due else podcast.etag,
        last_modified=None if full_due else podcast.last_modified,
        content_hash=podcast.content_hash,
    )


def interval(podcast: Podcast, settings: Settings) -> timedelta:
    """The feed's normal time between polls."""
    return timedelta(minutes=podcast.poll_interval_minutes or settings.poll_interval_minutes)


def adaptive_interval(parsed: ParsedFeed, base_minutes: int) -> int:
    """Minutes between polls for this feed: a tenth of its usual gap between episodes.

    Never below POLL_INTERVAL_MINUTES nor above eight times it, so a weekly show is polled
    every few hours while a daily news show keeps the base rate.
    """
    dates = sorted((i.published_at for i in parsed.items if i.published_at), reverse=True)[:11]
    gaps = [(a - b).total_seconds() / 60 for a, b in pairwise(dates) if a > b]
    if not gaps:
        return base_minutes
    typical = statistics.median(gaps) / 10
    return int(min(max(typical, base_minutes), base_minutes * 8))


def backoff(failures: int, base: timedelta) -> timedelta:
    """Exponential backoff after ``failures`` consecutive failures, capped at one day."""
    return min(base * 2 ** max(failures - 1, 0), MAX_BACKOFF)


def record_failure(
    podcast: Podcast,
    message: str,
    now: datetime,
    settings: Settings,
    *,
    retry_after: float | None = None,
) -> None:
    """Count a failed poll; back off (or wait as Retry-After asks); flag it failing at the limit."""
    podcast.failure_count += 1
    podcast.last_error = message.splitlines()[0][:500] if message else "unknown error"
    podcast.last_polled_at = now
    wait = backoff(podcast.failure_count, interval(podcast, settings))
    if retry_after is not None:
        wait = timedelta(seconds=retry_after)
    podcast.next_poll_at = now + wait
    if podcast.failure_count >= settings.failing_after:
        _set_status(podcast, "failing")
    podcast.updated_at = now


def record_gone(podcast: Podcast, message: str, now: datetime) -> None:
    """The publisher says the feed is gone for good (410): stop polling, keep it listed."""
    _set_status(podcast, "gone")
    podcast.last_error = message.splitlines()[0][:500]
    podcast.last_polled_at = now
    podcast.next_poll_at = None
    podcast.updated_at = now


def record_not_modified(
    podcast: Podcast,
    headers: dict[str, str],
    now: datetime,
    settings: Settings,
    *,
    full_fetch: bool = False,
) -> None:
    """A 304, or a full body byte for byte the one stored (``full_fetch``): healthy, unchanged."""
    _succeeded(podcast, now, settings)
    podcast.etag = headers.get("etag") or podcast.etag
    podcast.last_modified = headers.get("last-modified") or podcast.last_modified
    if full_fetch:
        podcast.last_full_fetch_at = now


@dataclass(frozen=True)
class Unchanged:
    """A feed that answered 304, or with the very bytes already stored (``full_fetch``)."""

    podcast_id: int
    headers: dict[str, str]
    full_fetch: bool


@dataclass(frozen=True)
class UnchangedRow:
    """What a batch of unchanged feeds recorded for one of them (for its poll outcome)."""

    podcast_id: int
    url: str
    title: str
    next_poll_at: datetime


def record_not_modified_many(
    session: Session, batch: list[Unchanged], now: datetime, settings: Settings
) -> list[UnchangedRow]:
    """``record_not_modified`` for many feeds: one read and one UPDATE statement for them all.

    A quiet poll is mostly 304s; loading and flushing an ORM row for each one cost more than
    its request. The status is written as a CASE so a removal committed mid-poll still wins.
    """
    table = Podcast.__table__  # type: ignore[attr-defined]
    ids = [u.podcast_id for u in batch]
    columns = (table.c.id, table.c.url, table.c.title, table.c.etag, table.c.last_modified)
    rows = {
        r.id: r
        for r in session.execute(
            core_select(*columns, table.c.poll_interval_minutes).where(table.c.id.in_(ids))
        )
    }
    params, recorded = [], []
    for unchanged in batch:
        row = rows[unchanged.podcast_id]
        minutes = row.poll_interval_minutes or settings.poll_interval_minutes
        next_poll = now + timedelta(minutes=minutes)
        params.append(
            {
                "b_id": row.id,
                "b_etag": unchanged.headers.get("etag") or row.etag,
                "b_last_modified": unchanged.headers.get("last-modified") or row.last_modified,
                "b_next": next_poll,
                "b_full": now if unchanged.full_fetch else None,
            }
        )
        recorded.append(UnchangedRow(row.id, row.url, row.title, next_poll))
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(
            status=case((table.c.status == REMOVED, REMOVED), else_="active"),
            failure_count=0,
            last_error=None,
            last_polled_at=now,
            last_success_at=now,
            next_poll_at=bindparam("b_next"),
            updated_at=now,
            etag=bindparam("b_etag"),
            last_modified=bindparam("b_last_modified"),
            last_full_fetch_at=func.coalesce(
                bindparam("b_full", type_=table.c.last_full_fetch_at.type),
                table.c.last_full_fetch_at,
            ),
        )
    )
    session.connection().execute(statement, params)
    return recorded


def record_parsed(
    session: Session,
    podcast: Podcast,
    result: FetchResult,
    parsed: ParsedFeed,
    now: datetime,
    settings: Settings,
) -> StoreResult:
    """A full fetch parsed: store its items, validators, and a permanent move of the URL."""
    stored = store_items(
        session, podcast, parsed, now=now, initial_episodes=settings.initial_episodes
    )
    podcast.etag = result.headers.get("etag")
    podcast.last_modified = result.headers.get("last-modified")
    podcast.content_hash = body_hash(result.content)
    podcast.last_full_fetch_at = now
    podcast.poll_interval_minutes = adaptive_interval(parsed, settings.poll_interval_minutes)
    if result.permanent_url and result.permanent_url != podcast.url:
        _move(session, podcast, result.permanent_url)
    elif parsed.new_feed_url and parsed.new_feed_url != podcast.url:
        _announced_move(session, podcast, parsed.new_feed_url, settings)
    _succeeded(podcast, now, settings)
    return stored


def _move(session: Session, podcast: Podcast, new_url: str) -> None:
    """Follow a 301/308 by updating the stored URL (unless another podcast already has it)."""
    taken = session.exec(select(Podcast.id).where(Podcast.url == new_url)).first()
    if taken is not None:
        log.warning(
            "feed %s moved to %s, already followed as %s", podcast.id, shown(new_url), taken
        )
        return
    log.info("feed %s moved: %s -> %s", podcast.id, shown(podcast.url), shown(new_url))
    podcast.url = new_url


def _announced_move(session: Session, podcast: Podcast, new_url: str, settings: Settings) -> None:
    """Follow ``itunes:new-feed-url``, the feed's own moving notice, if the URL is acceptable."""
    try:
        checked = check_url(new_url, allow_private=settings.allow_private_urls)
    except UnsafeURL as exc:
        log.warning("feed %s announces an unacceptable new URL: %s", podcast.id, exc)
        return
    _move(session, podcast, checked)


def _succeeded(podcast: Podcast, now: datetime, settings: Settings) -> None:
    _set_status(podcast, "active")
    podcast.failure_count = 0
    podcast.last_error = None
    podcast.last_polled_at = now
    podcast.last_success_at = now
    podcast.next_poll_at = now + interval(podcast, settings)
    podcast.updated_at = now


def _set_status(podcast: Podcast, status: str) -> None:
    """Set the feed's status, unless it was removed (even by a removal committed mid-poll)."""
    if podcast.status == REMOVED:
        return
    session = object_session(podcast)
    if session is None or podcast.id is None:
        podcast.status = status
        return
    # why: `feeds remove` may commit after this row was read; a conditional UPDATE sees it
    # (PostgreSQL re-checks the WHERE on the latest row), where the ORM's UPDATE would undo it.
    statement = (
        update(Podcast)
        .where(Podcast.id == podcast.id, Podcast.status != REMOVED)
        .values(status=status)
        .execution_options(synchronize_session=False)
    )
    changed = session.execute(statement).rowcount == 1
    set_committed_value(podcast, "status", status if changed else REMOVED)
