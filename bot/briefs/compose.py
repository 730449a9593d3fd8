"""The Brief value objects and their composition for a channel and local date."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func
from sqlmodel import Session, select

from bot.briefs.coverage import terms_for, window_profiles
from bot.briefs.feedback import channel_weights
from bot.briefs.nearest import topic_notes
from bot.briefs.pool import PoolInsight, load_pool
from bot.briefs.ranking import rank_insights
from bot.briefs.request import Pick, RankRequest
from bot.briefs.topical import ensure_topic_insights
from bot.core.errors import InvalidInput, PodbriefError
from bot.core.models import Channel, Delivery, DeliveryItem, Podcast, Subscription
from bot.core.services import Services
from bot.core.tenancy import channel_tenant, visible_podcast_ids
from bot.core.values import Brief, BriefItem, RelatedInsight

log = logging.getLogger(__name__)


NOTHING_NEW = "Nothing new for your topics today."
NO_TOPICS = "This channel follows no topics yet: try `/podbrief subscribe open-source AI`."


def compose_brief(
    services: Services, session: Session, channel: Channel, local_date: date
) -> Brief:
    """Today's brief for ``channel``: its topics and followed shows, nothing it already got.

    Read-only: recording what was sent is the delivery ledger's job (``record_delivered``).
    """
    subscriptions = session.exec(
        select(Subscription).where(Subscription.channel_id == channel.id)
    ).all()
    topics = [s.topic for s in subscriptions if s.topic]
    podcast_ids = frozenset(s.podcast_id for s in subscriptions if s.podcast_id)
    shown = topics + _podcast_titles(session, podcast_ids)
    if not shown:
        return Brief(date=local_date, topics=[], items=[], empty_reason=NO_TOPICS)
    start, end = delivery_window(local_date, channel.timezone, services.settings.freshness_days)
    request = _request(
        services,
        session,
        topics,
        start,
        end,
        local_date,
        size=channel.brief_size or services.settings.brief_size,
        podcast_ids=podcast_ids,
        visible=visible_podcast_ids(session, channel_tenant(channel)),
        delivered=delivered_before(session, channel.id, local_date),
        last_brief_at=last_brief_at(session, channel.id, local_date),
        weights=channel_weights(session, channel.id),
    )
    return _compose(session, request, shown, local_date)


def compose_topic_brief(
    services: Services,
    session: Session,
    topics: list[str],
    local_date: date,
    *,
    visible: frozenset[int] | None = None,
) -> Brief:
    """A brief for ad-hoc topics (no channel: no novelty or feedback), e.g. `brief --topic`,
    from the ``visible`` podcasts only when given (a workspace's subscribe preview)."""
    topics = [t.strip() for t in topics if t.strip()]
    if not topics:
        raise InvalidInput("Give at least one topic, e.g. --topic 'open-source AI'.")
    start, end = delivery_window(local_date, "UTC", services.settings.freshness_days)
    request = _request(
        services,
        session,
        topics,
        start,
        end,
        local_date,
        size=services.settings.brief_size,
        visible=visible,
    )
    return _compose(session, request, topics, local_date)


def explain_brief(
    services: Services, session: Session, channel: Channel, local_date: date
) -> list[str]:
    """Lines for the `why` command: why each item was picked and why others lost."""
    brief = compose_brief(services, session, channel, local_date)
    lines = [f"Brief for {local_date.isoformat()} · topics: {', '.join(brief.topics) or 'none'}"]
    if brief.empty_reason:
        lines.append(brief.empty_reason)
    elif notes := brief.notes:
        lines.extend(notes)
    for item in brief.items:
        lines.append(f"{item.rank}. {_short(item.text)} — {item.why}")
    if brief.explanation:
        lines.append("Not picked:")
        lines.extend(f"· {line}" for line in brief.explanation)
    return lines


def record_delivered(session: Session, delivery_id: int, channel_id: int, brief: Brief) -> int:
    """Insert the DeliveryItem rows for a sent brief (skipping ones already there); the count."""
    existing = set(
        session.exec(select(DeliveryItem.insight_id).where(DeliveryItem.channel_id == channel_id))
    )
    added = 0
    for item in brief.items:
        if item.insight_id in existing:
            continue
        session.add(
            DeliveryItem(
                delivery_id=delivery_id,
                channel_id=channel_id,
                insight_id=item.insight_id,
                rank=item.rank,
            )
        )
        added += 1
    session.flush()
    return added


def delivery_window(local_date: date, timezone: str, days: int) -> tuple[datetime, datetime]:
    """UTC bounds of the FRESHNESS_DAYS window ending at the end of ``local_date`` there."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    end = datetime.combine(local_date + timedelta(days=1), time.min, tzinfo=zone)
    return (end - timedelta(days=days)).astimezone(UTC), end.astimezone(UTC)


def delivered_before(session: Session, channel_id: int, local_date: date) -> frozenset[int]:
    """Insights delivered to the channel in briefs of earlier dates (never repeat them)."""
    query = (
        select(DeliveryItem.insight_id)
        .join(Delivery, Delivery.id == DeliveryItem.delivery_id)
        .where(DeliveryItem.channel_id == channel_id, Delivery.local_date < local_date)
    )
    return frozenset(session.exec(query))


def last_brief_at(session: Session, channel_id: int, local_date: date) -> datetime | None:
    """When the channel's previous brief (before ``local_date``) was sent."""
    query = select(func.max(Delivery.sent_at)).where(
        Delivery.channel_id == channel_id,
        Delivery.local_date < local_date,
        Delivery.status == "sent",
    )
    moment = session.exec(query).one()
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def _request(
    services: Services,
    session: Session,
    topics: list[str],
    start: datetime,
    end: datetime,
    local_date: date,
    **options,
) -> RankRequest:
    settings = services.settings
    pool = load_pool(session)
    profiles = window_profiles(session, local_date, settings.freshness_days, pool)
    terms = {topic: terms_for(profiles, topic) for topic in topics}
    if ensure_topic_insights(session, pool, profiles, list(terms.values())):
        session.flush()
        pool = load_pool(session)
    return RankRequest(
        topics=terms,
        window_start=start,
        window_end=end,
        max_per_episode=settings.max_items_per_episode,
        related_per_item=settings.related_per_item,
        min_relevance=settings.min_topic_relevance,
        topic_vectors=_topic_vectors(services, topics),
        profiles=profiles,
        pool=pool,
        **options,
    )


def _topic_vectors(services: Services, topics: list[str]) -> dict:
    """Topic embeddings when an embedder is configured; lexical matching alone otherwise."""
    if services.embedder is None or not topics:
        return {}
    try:
        vectors = services.embedder.embed(topics)
    except PodbriefError as exc:
        log.warning("topic embeddings unavailable, matching words only: %s", exc)
        return {}
    return {topic: vectors[n] for n, topic in enumerate(topics)}


def _compose(session: Session, request: RankRequest, shown: list[str], local_date: date) -> Brief:
    pool = request.pool or load_pool(session)
    ranking = rank_insights(pool, request)
    items = [_item(rank, pick) for rank, pick in enumerate(ranking.picks, start=1)]
    notes = topic_notes(session, pool, ranking, request) if request.topics else []
    empty = None
    if not items:
        empty = " ".join(notes) if notes else NOTHING_NEW
    return Brief(
        date=local_date,
        topics=shown,
        items=items,
        empty_reason=empty,
        explanation=ranking.explanation,
        notes=notes,
    )


def _item(rank: int, pick: Pick) -> BriefItem:
    related = [
        RelatedInsight(
            r.item.text,
            r.item.podcast,
            r.item.episode,
            r.item.episode_id,
            r.item.start,
            r.item.url,
            stance=r.stance,
            speaker=r.item.speaker,
        )
        for r in pick.related
    ]
    return brief_item(rank, pick.item, score=pick.score, related=related, why=pick.why)


def brief_item(
    rank: int,
    item: PoolInsight,
    *,
    score: float | None = None,
    related: list[RelatedInsight] | None = None,
    why: str = "",
) -> BriefItem:
    """A brief item for a stored insight; ``score`` defaults to the insight's own."""
    return BriefItem(
        rank=rank,
        insight_id=item.id,
        text=item.text,
        quote=item.quote,
        speaker=item.speaker,
        podcast=item.podcast,
        episode=item.episode,
        episode_id=item.episode_id,
        start=item.start,
        url=item.url,
        topics=list(item.topics),
        score=item.score if score is None else score,
        engine=item.engine,
        related=related or [],
        why=why,
    )


def _podcast_titles(session: Session, podcast_ids: frozenset[int]) -> list[str]:
    if not podcast_ids:
        return []
    rows = session.exec(select(Podcast.title).where(Podcast.id.in_(podcast_ids))).all()
    return sorted(title for title in rows if title)


def _short(text: str) -> str:
    return text if len(text) <= 70 else text[:67] + "…"
