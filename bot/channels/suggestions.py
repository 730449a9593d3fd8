"""Autocomplete suggestions: topics a channel follows or insights mention, followed podcasts."""

from __future__ import annotations

import logging

from sqlmodel import Session, col, select

from bot.core.models import Channel, Insight, Podcast, Subscription
from bot.core.urlsafety import shown_name

log = logging.getLogger(__name__)

RECENT_INSIGHTS = 2000  # enough to know the live topics without scanning the whole table


def topic_suggestions(
    session: Session, *, platform: str, channel_ref: str, prefix: str = "", limit: int = 25
) -> list[str]:
    """The channel's own topics first, then topics recent insights carry, matching ``prefix``."""
    own = session.exec(
        select(Subscription.topic)
        .join(Channel, Channel.id == Subscription.channel_id)
        .where(Channel.platform == platform, Channel.channel_ref == channel_ref)
        .where(col(Subscription.topic).is_not(None))
    )
    recent = session.exec(
        select(Insight.topics).order_by(col(Insight.created_at).desc()).limit(RECENT_INSIGHTS)
    )
    known = [topic for topics in recent for topic in (topics or [])]
    return _matching([t for t in own if t] + known, prefix, limit)


def podcast_suggestions(
    session: Session,
    *,
    prefix: str = "",
    limit: int = 25,
    platform: str = "",
    channel_ref: str = "",
) -> list[tuple[str, str]]:
    """``(title, id)`` of live podcasts matching ``prefix``; the channel's own follows first."""
    followed = set(
        session.exec(
            select(Subscription.podcast_id)
            .join(Channel, Channel.id == Subscription.channel_id)
            .where(Channel.platform == platform, Channel.channel_ref == channel_ref)
        )
    )
    podcasts = session.exec(
        select(Podcast.id, Podcast.title, Podcast.url)
        .where(Podcast.status != "gone")
        .order_by(Podcast.title)
    )
    wanted = prefix.casefold().strip()
    found = [
        (shown_name(title, url), str(podcast_id), podcast_id in followed)
        for podcast_id, title, url in podcasts
        if wanted in shown_name(title, url).casefold() or wanted == str(podcast_id)
    ]
    found.sort(key=lambda entry: not entry[2])  # stable: alphabetical within each group
    return [(name, podcast_id) for name, podcast_id, _ in found[:limit]]


def _matching(candidates: list[str], prefix: str, limit: int) -> list[str]:
    wanted = prefix.casefold().strip()
    seen: dict[str, str] = {}
    for topic in candidates:
        key = topic.casefold()
        if key not in seen and wanted in key:
            seen[key] = topic
    # Prefix matches before substring matches, order otherwise kept (own topics first).
    ranked = sorted(seen.values(), key=lambda t: not t.casefold().startswith(wanted))
    return ranked[:limit]
