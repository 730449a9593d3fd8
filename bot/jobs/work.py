"""Work claiming for episodes: several workers share the queue and nothing is done twice.

PostgreSQL: ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING id`` — workers
skip rows another worker is claiming instead of waiting on them. SQLite: the same single
UPDATE is atomic because SQLite serialises writers (``FOR UPDATE`` renders as nothing there).

States: pending → processing → done | failed (retry at ``next_attempt_at``) | dead (reason kept).
``attempts`` counts claims, so an episode that crashes its worker still reaches ``dead``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.engine import Engine

from bot.core.clock import Clock
from bot.core.db import session_scope
from bot.core.models import Episode

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)


def claimable(now: datetime):
    """Episodes waiting for a worker: pending, or failed and due for a retry."""
    due = or_(Episode.next_attempt_at.is_(None), Episode.next_attempt_at <= now)
    return or_(
        and_(Episode.status == "pending", due),
        and_(Episode.status == "failed", Episode.next_attempt_at <= now),
    )


def claim_episodes(engine: Engine, *, worker: str, limit: int, now: datetime) -> list[int]:
    """Atomically move up to ``limit`` claimable episodes to ``processing`` for ``worker``."""
    candidates = (
        select(Episode.id)
        .where(claimable(now))
        .order_by(Episode.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(Episode)
        .where(Episode.id.in_(candidates.scalar_subquery()))
        .values(
            status="processing",
            claimed_by=worker,
            claimed_at=now,
            attempts=Episode.attempts + 1,
            updated_at=now,
        )
        .returning(Episode.id)
        .execution_options(synchronize_session=False)
    )
    with session_scope(engine) as session:
        return sorted(session.execute(statement).scalars())


def queue_depth(engine: Engine, *, now: datetime) -> int:
    """How many episodes are claimable right now."""
    with session_scope(engine) as session:
        return session.execute(select(func.count(Episode.id)).where(claimable(now))).scalar_one()


def _owned(episode_id: int, worker: str):
    # Only the claimant may settle a claim; a stale claim taken over by another worker is theirs.
    return and_(Episode.id == episode_id, Episode.claimed_by == worker)


def _set(engine: Engine, condition, **values) -> bool:
    with session_scope(engine) as session:
        result = session.execute(
            update(Episode)
            .where(condition)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1


def mark_done(engine: Engine, episode_id: int, *, worker: str, now: datetime) -> bool:
    """Settle a finished claim."""
    return _set(
        engine,
        _owned(episode_id, worker),
        status="done",
        status_reason=None,
        claimed_by=None,
        claimed_at=None,
        next_attempt_at=None,
        processed_at=now,
        updated_at=now,
    )


def retry_delay(attempts: int, first: timedelta) -> timedelta:
    """Exponential backoff: first, 2×first, 4×first … capped at six hours."""
    return min(first * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def mark_failed(
    engine: Engine,
    episode_id: int,
    *,
    worker: str,
    reason: str,
    now: datetime,
    max_attempts: int,
    first_retry: timedelta,
) -> str:
    """Schedule a retry, or dead-letter after ``max_attempts``; returns the new status."""
    with session_scope(engine) as session:
        episode = session.get(Episode, episode_id)
        if episode is None or episode.claimed_by != worker:
            return "lost"
        if episode.status != "processing":
            # The step parked or settled it itself (skipped by policy, waiting for a webhook).
            episode.claimed_by = episode.claimed_at = None
            session.add(episode)
            return episode.status
        dead = episode.attempts >= max_attempts
        episode.status = "dead" if dead else "failed"
        episode.status_reason = reason[:500]
        episode.next_attempt_at = None if dead else now + retry_delay(episode.attempts, first_retry)
        episode.claimed_by = episode.claimed_at = None
        episode.updated_at = now
        session.add(episode)
        status = episode.status
    log.log(
        logging.ERROR if dead else logging.WARNING, "episode %s %s: %s", episode_id, status, reason
    )
    return status


def mark_waiting(
    engine: Engine, episode_id: int, *, worker: str, reason: str, now: datetime, retry_in: timedelta
) -> bool:
    """Back to the queue after ``retry_in`` without counting the attempt (see ``NotYet``).

    A step that parked the episode itself (``transcribing``, waiting for a webhook) keeps that
    status; only the claim is given back, and the attempt is not counted either.
    """
    unclaimed = {"claimed_by": None, "claimed_at": None, "attempts": Episode.attempts - 1}
    requeued = _set(
        engine,
        and_(_owned(episode_id, worker), Episode.status == "processing"),
        status="pending",
        status_reason=reason[:500],
        next_attempt_at=now + retry_in,
        updated_at=now,
        **unclaimed,
    )
    return requeued or _set(engine, _owned(episode_id, worker), **unclaimed)


def release(engine: Engine, episode_ids: list[int], *, worker: str) -> int:
    """Give unfinished claims back to the queue without counting the attempt (shutdown)."""
    released = 0
    for episode_id in episode_ids:
        released += _set(
            engine,
            and_(_owned(episode_id, worker), Episode.status == "processing"),
            status="pending",
            claimed_by=None,
            claimed_at=None,
            attempts=Episode.attempts - 1,
        )
    return released


def release_stale_claims(
    engine: Engine, *, older_than: timedelta, now: datetime, max_attempts: int
) -> int:
    """Requeue claims abandoned by a crashed worker; dead-letter ones that keep crashing."""
    stale = and_(Episode.status == "processing", Episode.claimed_at < now - older_than)
    cleared = {"claimed_by": None, "claimed_at": None, "updated_at": now}
    with session_scope(engine) as session:
        dead = session.execute(
            update(Episode)
            .where(stale, Episode.attempts >= max_attempts)
            .values(status="dead", status_reason="worker stopped while processing it", **cleared)
            .execution_options(synchronize_session=False)
        ).rowcount
        requeued = session.execute(
            update(Episode)
            .where(stale)
            .values(status="pending", **cleared)
            .execution_options(synchronize_session=False)
        ).rowcount
    if dead or requeued:
        log.warning("stale episode claims: %d requeued, %d dead-lettered", requeued, dead)
    return (requeued or 0) + (dead or 0)


def release_worker(engine: Engine, *, worker: str) -> int:
    """Give back every claim ``worker`` still holds (shutdown after the grace period)."""
    with session_scope(engine) as session:
        ids = list(
            session.execute(
                select(Episode.id).where(
                    Episode.claimed_by == worker, Episode.status == "processing"
                )
            ).scalars()
        )
    released = release(engine, ids, worker=worker)
    if released:
        log.warning("released %d unfinished episode claims on shutdown", released)
    return released


@contextmanager
def keep_claim(
    engine: Engine, episode_id: int, *, worker: str, every_s: float, clock: Clock
) -> Iterator[None]:
    """Refresh ``claimed_at`` while a long step runs (a long transcription, say), so
    housekeeping never mistakes a live claim for an abandoned one."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(every_s):
            try:
                _set(
                    engine,
                    and_(_owned(episode_id, worker), Episode.status == "processing"),
                    claimed_at=clock.now(),
                )
            except Exception:  # a missed heartbeat only risks an early requeue
                log.exception("claim heartbeat for episode %s failed", episode_id)

    thread = threading.Thread(target=beat, name=f"claim-{episode_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
