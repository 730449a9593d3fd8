"""The delivery ledger: one brief per channel per local date, claimed before it is sent.

A ``Delivery`` row is inserted (unique on channel and local date) *before* posting, so two
workers or a restarted process can never both own the same brief. Rows move
claimed → sent | empty | failed | skipped. A claim left behind by a crash becomes stale after
the claim timeout and is taken over; the publisher's own guard (Slack metadata found with
``find_sent``, Discord ``nonce`` + ``enforce_nonce``) then stops a second post. A row is settled
only by the worker that still owns it, so the loser of a race never overwrites the winner. An
``empty`` day that posted nothing is looked at again (every EMPTY_RETRY_GAP) until it ends.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import delete, select

from bot.briefs.compose import record_delivered
from bot.core.db import session_scope
from bot.core.models import Channel, Delivery, DeliveryItem
from bot.core.values import Brief

log = logging.getLogger(__name__)

FINAL = ("sent", "skipped")  # plus ``empty`` rows that posted a note (see ``_settled``)
RETRY_GAP = timedelta(minutes=5)  # a failed brief is tried again on a tick at least this later
# Insights can land after brief time (a lagging morning): an empty day is composed again.
EMPTY_RETRY_GAP = timedelta(minutes=30)


@dataclass(frozen=True)
class DeliveryClaim:
    """A delivery this worker now owns; ``reclaimed`` means an earlier attempt may have posted."""

    id: int
    channel_id: int
    local_date: date
    attempts: int
    reclaimed: bool
    worker: str
    since: datetime | None = None  # when the delivery was first claimed: posts are no older


def claim_delivery(
    engine: Engine,
    *,
    channel_id: int,
    local_date: date,
    worker: str,
    now: datetime,
    stale_after: timedelta,
    max_attempts: int,
    take_over: bool = True,
) -> DeliveryClaim | None:
    """Own the brief for ``channel_id`` on ``local_date``, or None when it is not ours to send."""
    # take_over=False only claims a day with no row yet: a caller that cannot ask the platform
    # whether an earlier attempt posted must not take one over.
    try:
        with session_scope(engine) as session:
            row = Delivery(
                channel_id=channel_id,
                local_date=local_date,
                status="claimed",
                claimed_by=worker,
                claimed_at=now,
                attempts=1,
            )
            session.add(row)
            session.flush()
            return DeliveryClaim(
                row.id,
                channel_id,
                local_date,
                1,
                reclaimed=False,
                worker=worker,
                since=row.created_at,
            )
    except IntegrityError:
        if not take_over:
            return None
        return _reclaim(engine, channel_id, local_date, worker, now, stale_after, max_attempts)


def _reclaim(
    engine: Engine,
    channel_id: int,
    local_date: date,
    worker: str,
    now: datetime,
    stale_after: timedelta,
    max_attempts: int,
) -> DeliveryClaim | None:
    """Take over a stale claim, a retryable failure or an empty day with one atomic UPDATE."""
    retryable = or_(
        and_(Delivery.status == "claimed", Delivery.claimed_at <= now - stale_after),
        and_(
            Delivery.status == "failed",
            Delivery.attempts < max_attempts,
            Delivery.claimed_at <= now - RETRY_GAP,
        ),
        and_(
            Delivery.status == "empty",
            Delivery.message_ref.is_(None),  # a posted "nothing new" note is final
            Delivery.claimed_at <= now - EMPTY_RETRY_GAP,
        ),
    )
    # SKIP LOCKED: a row another worker is taking over right now is simply not ours.
    candidate = (
        select(Delivery.id)
        .where(Delivery.channel_id == channel_id, Delivery.local_date == local_date, retryable)
        .with_for_update(skip_locked=True)
    )
    with session_scope(engine) as session:
        result = session.execute(
            update(Delivery)
            .where(Delivery.id.in_(candidate.scalar_subquery()))
            .values(
                status="claimed",
                claimed_by=worker,
                claimed_at=now,
                # Empty retries are not failures: they must not use up the failure budget.
                attempts=case((Delivery.status == "empty", 1), else_=Delivery.attempts + 1),
            )
            .returning(Delivery.id, Delivery.attempts, Delivery.created_at)
        ).first()
    if result is None:
        return None
    log.info("delivery %s for channel %s taken over by %s", result[0], channel_id, worker)
    return DeliveryClaim(
        result[0],
        channel_id,
        local_date,
        result[1],
        reclaimed=True,
        worker=worker,
        since=result[2],
    )


def _owned(claim: DeliveryClaim) -> ColumnElement[bool]:
    """The row is still this claim's: nobody took it over since (attempts moves on a take-over)."""
    return and_(
        Delivery.id == claim.id,
        Delivery.status == "claimed",
        Delivery.claimed_by == claim.worker,
        Delivery.attempts == claim.attempts,
    )


def mark_sent(
    engine: Engine,
    claim: DeliveryClaim,
    *,
    brief: Brief,
    message_ref: str | None,
    now: datetime,
    status: str = "sent",
) -> bool:
    """Record the post (or the empty brief) and its items; False when the claim was lost."""
    with session_scope(engine) as session:
        result = session.execute(
            update(Delivery)
            .where(_owned(claim))
            .values(status=status, message_ref=message_ref, sent_at=now, error=None)
        )
        if result.rowcount != 1:
            _lost(claim, status)
            return False
        record_delivered(session, claim.id, claim.channel_id, brief)  # novelty reads these
        return True


def mark_failed(
    engine: Engine, claim: DeliveryClaim, *, reason: str, status: str = "failed"
) -> bool:
    """Keep the reason (``failed`` rows are retried later); False when the claim was lost."""
    with session_scope(engine) as session:
        result = session.execute(
            update(Delivery).where(_owned(claim)).values(status=status, error=reason[:500])
        )
        if result.rowcount != 1:
            _lost(claim, status)
            return False
        return True


def _lost(claim: DeliveryClaim, status: str) -> None:
    log.warning(
        "delivery %s: %s lost its claim to another worker; not recording it as %s",
        claim.id,
        claim.worker,
        status,
    )


def mark_channel_gone(engine: Engine, channel_id: int, reason: str) -> None:
    """Stop scheduling briefs for a channel that was deleted or removed the bot."""
    with session_scope(engine) as session:
        channel = session.get(Channel, channel_id)
        channel.status, channel.status_reason = "gone", reason[:500]
        session.add(channel)
    log.warning("channel %s marked gone: %s", channel_id, reason)


def settled_dates(engine: Engine, dates: set[date], now: datetime) -> set[tuple[int, date]]:
    """(channel_id, local_date) pairs settled for now, so a tick skips them cheaply."""
    settled = or_(
        Delivery.status.in_(FINAL),
        and_(
            Delivery.status == "empty",
            or_(Delivery.message_ref.is_not(None), Delivery.claimed_at > now - EMPTY_RETRY_GAP),
        ),
    )
    with session_scope(engine) as session:
        query = select(Delivery.channel_id, Delivery.local_date).where(
            Delivery.local_date.in_(dates), settled
        )
        return {(row[0], row[1]) for row in session.exec(query)}


def prune_deliveries(engine: Engine, *, before: date) -> int:
    """Delete ledger rows (and their items) for dates before ``before``; returns rows removed."""
    with session_scope(engine) as session:
        old = select(Delivery.id).where(Delivery.local_date < before)
        session.exec(delete(DeliveryItem).where(DeliveryItem.delivery_id.in_(old)))
        result = session.exec(delete(Delivery).where(Delivery.local_date < before))
        return result.rowcount or 0
