"""The delivery ledger: one brief per channel per local date, claimed before it is sent.

A ``Delivery`` row is inserted (unique on channel and local date) *before* posting, so two
workers or a restarted process can never both own the same brief. Rows move
claimed → sent | empty | failed | skipped. A claim left behind by a crash becomes stale after
DELIVERY_CLAIM_TIMEOUT_S and is taken over; the publisher's own guard (Slack metadata found with
``find_sent``, Discord ``nonce`` + ``enforce_nonce``) then stops a second post.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, delete, select

from bot.brief import Brief, record_delivered
from bot.db import session_scope
from bot.models import Channel, Delivery, DeliveryItem

log = logging.getLogger(__name__)

FINAL = ("sent", "empty", "skipped")
RETRY_GAP = timedelta(minutes=5)  # a failed brief is tried again on a tick at least this later


@dataclass(frozen=True)
class DeliveryClaim:
    """A delivery this worker now owns; ``reclaimed`` means an earlier attempt may have posted."""

    id: int
    channel_id: int
    local_date: date
    attempts: int
    reclaimed: bool


def claim_delivery(
    engine: Engine,
    *,
    channel_id: int,
    local_date: date,
    worker: str,
    now: datetime,
    stale_after: timedelta,
    max_attempts: int,
) -> DeliveryClaim | None:
    """Own the brief for ``channel_id`` on ``local_date``, or None when it is not ours to send."""
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
            return DeliveryClaim(row.id, channel_id, local_date, 1, reclaimed=False)
    except IntegrityError:
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
    """Take over a stale claim or a retryable failure with one atomic UPDATE."""
    retryable = or_(
        and_(Delivery.status == "claimed", Delivery.claimed_at <= now - stale_after),
        and_(
            Delivery.status == "failed",
            Delivery.attempts < max_attempts,
            Delivery.claimed_at <= now - RETRY_GAP,
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
                attempts=Delivery.attempts + 1,
            )
            .returning(Delivery.id, Delivery.attempts)
        ).first()
    if result is None:
        return None
    log.info("delivery %s for channel %s taken over by %s", result[0], channel_id, worker)
    return DeliveryClaim(result[0], channel_id, local_date, result[1], reclaimed=True)


def record_items(session: Session, delivery_id: int, channel_id: int, brief: Brief) -> None:
    """DeliveryItem rows for the insights in ``brief`` (novelty and feedback read them)."""
    record_delivered(session, delivery_id, channel_id, brief)


def mark_sent(
    engine: Engine,
    claim: DeliveryClaim,
    *,
    brief: Brief,
    message_ref: str | None,
    now: datetime,
    status: str = "sent",
) -> None:
    """Record the post (or the empty brief) and its items in one transaction."""
    with session_scope(engine) as session:
        row = session.get(Delivery, claim.id)
        row.status, row.message_ref, row.sent_at, row.error = status, message_ref, now, None
        session.add(row)
        record_items(session, claim.id, claim.channel_id, brief)


def mark_failed(
    engine: Engine, claim: DeliveryClaim, *, reason: str, status: str = "failed"
) -> None:
    """Keep the reason; ``failed`` rows are retried on later ticks up to the attempt limit."""
    with session_scope(engine) as session:
        row = session.get(Delivery, claim.id)
        row.status, row.error = status, reason[:500]
        session.add(row)


def mark_channel_gone(engine: Engine, channel_id: int, reason: str) -> None:
    """Stop scheduling briefs for a channel that was deleted or removed the bot."""
    with session_scope(engine) as session:
        channel = session.get(Channel, channel_id)
        channel.status, channel.status_reason = "gone", reason[:500]
        session.add(channel)
    log.warning("channel %s marked gone: %s", channel_id, reason)


def settled_dates(engine: Engine, dates: set[date]) -> set[tuple[int, date]]:
    """(channel_id, local_date) pairs already settled, so a tick skips them cheaply."""
    with session_scope(engine) as session:
        query = select(Delivery.channel_id, Delivery.local_date).where(
            Delivery.local_date.in_(dates), Delivery.status.in_(FINAL)
        )
        return {(row[0], row[1]) for row in session.exec(query)}


def prune_deliveries(engine: Engine, *, before: date) -> int:
    """Delete ledger rows (and their items) for dates before ``before``; returns rows removed."""
    with session_scope(engine) as session:
        old = select(Delivery.id).where(Delivery.local_date < before)
        session.exec(delete(DeliveryItem).where(DeliveryItem.delivery_id.in_(old)))
        result = session.exec(delete(Delivery).where(Delivery.local_date < before))
        return result.rowcount or 0
