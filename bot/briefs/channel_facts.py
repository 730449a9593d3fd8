"""What composing a channel's brief reads about the channel: follows, history, votes, workspace.

``channel_facts`` reads one channel (a handful of queries); ``many_channel_facts`` reads a
whole batch in the same handful, so a thousand channels cost one query per kind of fact.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.briefs.feedback import ChannelWeights, channel_weights, weights_by_channel
from bot.core.models import Channel, Delivery, DeliveryItem, Podcast, Subscription
from bot.core.tenancy import Tenant, channel_tenant, visible_podcast_ids

BATCH = 500  # ids per IN (...) list: well under every database's bound-parameter limit


@dataclass(frozen=True)
class ChannelFacts:
    """One channel's follows and history, as of the brief's local date."""

    channel: Channel
    topics: list[str]
    podcast_ids: frozenset[int]
    shown: list[str]  # the brief's header: topics, then the followed shows' titles
    visible: frozenset[int] | None = None
    delivered: frozenset[int] = frozenset()
    last_brief_at: datetime | None = None
    weights: ChannelWeights = field(default_factory=ChannelWeights)


def channel_facts(session: Session, channel: Channel, local_date: date) -> ChannelFacts:
    """The facts of one channel (history and votes only read when it follows something)."""
    subscriptions = session.exec(
        select(Subscription).where(Subscription.channel_id == channel.id).order_by(Subscription.id)
    ).all()
    topics = [s.topic for s in subscriptions if s.topic]
    podcast_ids = frozenset(s.podcast_id for s in subscriptions if s.podcast_id)
    shown = topics + _podcast_titles(session, podcast_ids)
    if not shown:
        return ChannelFacts(channel, topics, podcast_ids, shown)
    return ChannelFacts(
        channel,
        topics,
        podcast_ids,
        shown,
        visible=visible_podcast_ids(session, channel_tenant(channel)),
        delivered=delivered_before(session, channel.id, local_date),
        last_brief_at=last_brief_at(session, channel.id, local_date),
        weights=channel_weights(session, channel.id),
    )


def many_channel_facts(
    session: Session, channels: Sequence[Channel], local_date: date
) -> dict[int, ChannelFacts]:
    """Channel id → its facts, for every channel of the batch in one query per kind of fact."""
    ids = [channel.id for channel in channels]
    follows = _subscriptions(session, ids)
    titles = _all_podcast_titles(session) if any(p for _, p in follows.values()) else {}
    delivered = _delivered(session, ids, local_date)
    last = _last_briefs(session, ids, local_date)
    weights = weights_by_channel(session, ids)
    tenants: dict[Tenant | None, frozenset[int] | None] = {}
    facts = {}
    for channel in channels:
        topics, podcast_ids = follows.get(channel.id, ([], frozenset()))
        shown = topics + sorted(t for i, t in titles.items() if i in podcast_ids and t)
        tenant = channel_tenant(channel)
        if tenant not in tenants:
            tenants[tenant] = visible_podcast_ids(session, tenant)
        facts[channel.id] = ChannelFacts(
            channel,
            topics,
            podcast_ids,
            shown,
            visible=tenants[tenant],
            delivered=delivered.get(channel.id, frozenset()),
            last_brief_at=last.get(channel.id),
            weights=weights.get(channel.id, ChannelWeights()),
        )
    return facts


def delivered_before(session: Session, channel_id: int, local_date: date) -> frozenset[int]:
    """Insights delivered to the channel in briefs of earlier dates (never repeat them)."""
    return _delivered(session, [channel_id], local_date).get(channel_id, frozenset())


def last_brief_at(session: Session, channel_id: int, local_date: date) -> datetime | None:
    """When the channel's previous brief (before ``local_date``) was sent."""
    return _last_briefs(session, [channel_id], local_date).get(channel_id)


def _subscriptions(session: Session, ids: list[int]) -> dict[int, tuple[list[str], frozenset[int]]]:
    topics: dict[int, list[str]] = {}
    podcasts: dict[int, set[int]] = {}
    for chunk in _chunks(ids):
        query = (
            select(Subscription.channel_id, Subscription.topic, Subscription.podcast_id)
            .where(col(Subscription.channel_id).in_(chunk))
            .order_by(Subscription.channel_id, Subscription.id)
        )
        for channel_id, topic, podcast_id in session.exec(query):
            topics.setdefault(channel_id, [])
            podcasts.setdefault(channel_id, set())
            if topic:
                topics[channel_id].append(topic)
            if podcast_id:
                podcasts[channel_id].add(podcast_id)
    return {i: (topics[i], frozenset(podcasts[i])) for i in topics}


def _delivered(session: Session, ids: list[int], local_date: date) -> dict[int, frozenset[int]]:
    found: dict[int, set[int]] = {}
    for chunk in _chunks(ids):
        query = (
            select(DeliveryItem.channel_id, DeliveryItem.insight_id)
            .join(Delivery, Delivery.id == DeliveryItem.delivery_id)
            .where(col(DeliveryItem.channel_id).in_(chunk), Delivery.local_date < local_date)
        )
        for channel_id, insight_id in session.exec(query):
            found.setdefault(channel_id, set()).add(insight_id)
    return {channel_id: frozenset(items) for channel_id, items in found.items()}


def _last_briefs(session: Session, ids: list[int], local_date: date) -> dict[int, datetime]:
    found: dict[int, datetime] = {}
    for chunk in _chunks(ids):
        query = (
            select(Delivery.channel_id, func.max(Delivery.sent_at))
            .where(
                col(Delivery.channel_id).in_(chunk),
                Delivery.local_date < local_date,
                Delivery.status == "sent",
            )
            .group_by(Delivery.channel_id)
        )
        for channel_id, moment in session.exec(query):
            if moment is not None:
                found[channel_id] = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return found


def _podcast_titles(session: Session, podcast_ids: frozenset[int]) -> list[str]:
    if not podcast_ids:
        return []
    rows = session.exec(select(Podcast.title).where(col(Podcast.id).in_(podcast_ids))).all()
    return sorted(title for title in rows if title)


def _all_podcast_titles(session: Session) -> dict[int, str]:
    return dict(session.exec(select(Podcast.id, Podcast.title)).all())


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]
