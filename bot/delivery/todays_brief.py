"""``/podbrief brief``: today's brief for a channel, posted once through the delivery ledger.

Asking for the brief claims today's Delivery like the scheduled tick does, so the items shown
are recorded and the scheduled brief does not repeat them later that day. Asking again shows
the same brief, rebuilt from its DeliveryItems, marked as already posted. A day whose earlier
attempt may have posted (a stale claim, a failure) is only taken over with the platform's
publisher at hand to ask ``find_sent`` first; without one the command shows a preview.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import update
from sqlmodel import Session, select

from bot.briefs.compose import brief_item, compose_brief
from bot.briefs.pool import load_pool
from bot.channels.schedule import channel_zone, local_today
from bot.core.db import session_scope
from bot.core.models import Channel, Delivery, DeliveryItem, Podcast, Subscription
from bot.core.ports import Publisher
from bot.core.services import Services, worker_name
from bot.core.values import Brief
from bot.delivery.ledger import DeliveryClaim, claim_delivery, mark_sent
from bot.delivery.posting import claim_timeout

log = logging.getLogger(__name__)

COMMAND_REF = "command"  # message_ref when the brief went out as a command's reply
TAKE_OVER = ("empty", "failed")  # nothing posted yet (or a retry pending): the command may post
MAY_HAVE_POSTED = ("claimed", "failed")  # an earlier attempt may have reached the platform


@dataclass(frozen=True)
class TodaysBrief:
    """The brief to show, its ledger row, and when it was posted if it already had been."""

    brief: Brief
    delivery_id: int | None
    posted_at: datetime | None = None  # set when this is a repeat of an earlier post
    preview: bool = False  # not recorded: nothing new yet, or another worker is posting it

    def heading(self, channel: Channel) -> str | None:
        """ "Today's brief (already posted at 08:00)" for a repeat, in the channel's time."""
        if self.posted_at is None:
            return None
        local = self.posted_at.astimezone(channel_zone(channel))
        return f"Today's brief (already posted at {local:%H:%M})"


def brief_now(
    services: Services, channel: Channel, now: datetime, publisher: Publisher | None = None
) -> TodaysBrief:
    """Today's brief for ``channel``, recorded as delivered (once) before the caller posts it."""
    # ``publisher`` (the channel's platform) lets the command take over a day an earlier attempt
    # may have posted, after asking it whether that post landed; without one it only previews.
    engine, day = services.engine, local_today(channel, now)
    existing = _delivery(services, channel.id, day)
    if existing is not None and existing.status == "sent":
        return _already_sent(services, channel, existing)
    with session_scope(engine) as session:
        brief = compose_brief(services, session, channel, day)
    if not brief.items:
        # Claiming an empty day would stop a later scheduled brief that finds something new.
        return TodaysBrief(brief, None, preview=True)
    if publisher is None and existing is not None and existing.status in MAY_HAVE_POSTED:
        log.info("brief for channel %s may already be posted; showing a preview", channel.id)
        return TodaysBrief(brief, None, preview=True)
    claim = _claim(services, channel, day, existing, now, take_over=publisher is not None)
    if claim is None:
        return _not_ours(services, channel, day, brief)
    found = None
    if claim.reclaimed and publisher is not None:
        found = publisher.find_sent(channel, delivery_id=claim.id, since=claim.since)
    if found is not None:
        log.info("delivery %s was already posted as %s; not posting again", claim.id, found)
        if not mark_sent(engine, claim, brief=brief, message_ref=found, now=now):
            return _not_ours(services, channel, day, brief)
        return _already_sent(services, channel, _delivery(services, channel.id, day))
    if not mark_sent(engine, claim, brief=brief, message_ref=COMMAND_REF, now=now):
        return _not_ours(services, channel, day, brief)
    return TodaysBrief(brief, claim.id)


def _not_ours(services: Services, channel: Channel, day: date, brief: Brief) -> TodaysBrief:
    """Another worker owns today's brief: show what it posted, or a preview while it posts."""
    current = _delivery(services, channel.id, day)
    if current is not None and current.status == "sent":
        return _already_sent(services, channel, current)
    log.info("brief for channel %s is being posted elsewhere; showing a preview", channel.id)
    return TodaysBrief(brief, None, preview=True)


def _claim(
    services: Services,
    channel: Channel,
    day: date,
    existing: Delivery | None,
    now: datetime,
    *,
    take_over: bool,
) -> DeliveryClaim | None:
    worker = f"{worker_name(services)}:command"
    if existing is not None and existing.status in TAKE_OVER:
        return _take_over(services, existing, worker, now)
    settings = services.settings
    return claim_delivery(
        services.engine,
        channel_id=channel.id,
        local_date=day,
        worker=worker,
        now=now,
        stale_after=claim_timeout(settings),
        max_attempts=settings.delivery_max_attempts,
        take_over=take_over,
    )


def _take_over(
    services: Services, row: Delivery, worker: str, now: datetime
) -> DeliveryClaim | None:
    """Claim an empty or failed day atomically (the tick's retry competes for the same row)."""
    with session_scope(services.engine) as session:
        result = session.execute(
            update(Delivery)
            # Only in the state we judged: a row that turned failed meanwhile may have posted.
            .where(Delivery.id == row.id, Delivery.status == row.status)
            .values(
                status="claimed", claimed_by=worker, claimed_at=now, attempts=Delivery.attempts + 1
            )
            .returning(Delivery.attempts)
        ).first()
    if result is None:
        return None
    # An empty day posted no brief; a failed one may have (a timeout can hide a post).
    reclaimed = row.status != "empty"
    return DeliveryClaim(
        row.id, row.channel_id, row.local_date, result[0], reclaimed=reclaimed, worker=worker
    )


def _delivery(services: Services, channel_id: int, day: date) -> Delivery | None:
    with Session(services.engine, expire_on_commit=False) as session:
        query = select(Delivery).where(
            Delivery.channel_id == channel_id, Delivery.local_date == day
        )
        return session.exec(query).first()


def _already_sent(services: Services, channel: Channel, row: Delivery) -> TodaysBrief:
    with session_scope(services.engine) as session:
        brief = delivered_brief(session, channel, row)
    sent_at = row.sent_at or row.claimed_at or services.clock.now()
    posted_at = sent_at if sent_at.tzinfo else sent_at.replace(tzinfo=UTC)
    return TodaysBrief(brief, row.id, posted_at=posted_at)


def delivered_brief(session: Session, channel: Channel, row: Delivery) -> Brief:
    """The brief a Delivery posted, rebuilt from its DeliveryItems in their original order."""
    query = (
        select(DeliveryItem.insight_id, DeliveryItem.rank)
        .where(DeliveryItem.delivery_id == row.id)
        .order_by(DeliveryItem.rank)
    )
    pool = load_pool(session)
    items = [
        brief_item(rank, pool.items[pool.by_id[insight_id]])
        for insight_id, rank in session.exec(query)
        if insight_id in pool.by_id  # an insight removed since (episode reprocessed) is gone
    ]
    return Brief(date=row.local_date, topics=_shown_topics(session, channel.id), items=items)


def _shown_topics(session: Session, channel_id: int) -> list[str]:
    """The channel's topics and followed shows, as the brief's heading lists them."""
    rows = session.exec(select(Subscription).where(Subscription.channel_id == channel_id)).all()
    podcast_ids = [s.podcast_id for s in rows if s.podcast_id]
    titles = session.exec(select(Podcast.title).where(Podcast.id.in_(podcast_ids))).all()
    return [s.topic for s in rows if s.topic] + sorted(t for t in titles if t)
