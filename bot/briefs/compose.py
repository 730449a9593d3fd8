"""The Brief value objects and their composition for a channel and local date."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, select

from bot.briefs.channel_facts import ChannelFacts, channel_facts, many_channel_facts
from bot.briefs.day import BriefDay
from bot.briefs.nearest import topic_notes
from bot.briefs.pool import PoolInsight, load_pool
from bot.briefs.ranking import rank_insights
from bot.briefs.request import Pick, RankRequest
from bot.core.errors import InvalidInput
from bot.core.models import Channel, DeliveryItem
from bot.core.services import Services
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
    facts = channel_facts(session, channel, local_date)
    return brief_for(BriefDay(services, session, local_date), facts)


def compose_briefs(
    services: Services, session: Session, channels: Sequence[Channel], local_date: date
) -> dict[int, Brief]:
    """Channel id → today's brief, for many channels sharing the day's work: one query per
    kind of channel fact, one pool and profile index, each topic scored once for all its
    followers. Each brief is the one ``compose_brief`` gives that channel, composed in order.
    """
    day = BriefDay(services, session, local_date)
    facts = many_channel_facts(session, channels, local_date)
    return {channel.id: brief_for(day, facts[channel.id]) for channel in channels}


def brief_for(day: BriefDay, facts: ChannelFacts) -> Brief:
    """The brief of the channel ``facts`` describes, from the day's shared sources."""
    if not facts.shown:
        return Brief(date=day.local_date, topics=[], items=[], empty_reason=NO_TOPICS)
    settings = day.services.settings
    start, end = delivery_window(day.local_date, facts.channel.timezone, settings.freshness_days)
    request = day.request(
        facts.topics,
        start,
        end,
        size=facts.channel.brief_size or settings.brief_size,
        podcast_ids=facts.podcast_ids,
        visible=facts.visible,
        delivered=facts.delivered,
        last_brief_at=facts.last_brief_at,
        weights=facts.weights,
    )
    return _compose(day.session, request, facts.shown, day.local_date)


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
    day = BriefDay(services, session, local_date)
    request = day.request(topics, start, end, size=services.settings.brief_size, visible=visible)
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


def _short(text: str) -> str:
    return text if len(text) <= 70 else text[:67] + "…"
