"""A workspace at a glance (for Slack's App Home): channels, schedules, last briefs, feed health."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from bot.channels import schedule as channel_schedule
from bot.channels import subscriptions as channel_store
from bot.core.config import Settings
from bot.core.models import Channel, Delivery
from bot.core.tenancy import tenant_for, visible_podcast_ids
from bot.core.urlsafety import shown_name
from bot.feeds import health as feeds_health
from bot.feeds.store import list_feeds

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChannelOverview:
    channel_ref: str
    name: str
    personal: bool
    topics: list[str]
    podcasts: list[str]
    schedule: str  # "08:30 Europe/Berlin, weekdays, 5 items"
    next_brief: datetime
    last_brief: date | None = None
    last_status: str | None = None


@dataclass(frozen=True)
class FeedHealth:
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    failing: list[tuple[str, str]] = field(default_factory=list)  # (title, health summary)


@dataclass(frozen=True)
class WorkspaceOverview:
    channels: list[ChannelOverview]
    feeds: FeedHealth


def workspace_overview(
    session: Session,
    *,
    platform: str,
    team_id: str,
    viewer_id: str,
    now: datetime,
    settings: Settings | None = None,
) -> WorkspaceOverview:
    """Shared channels of a workspace plus the viewer's own DM brief (others' stay private)."""
    rows = [
        channel
        for channel in channel_store.team_channels(session, platform=platform, team_id=team_id)
        if channel.user_id in ("", viewer_id)
    ]
    overviews = [_channel_overview(session, channel, now) for channel in rows]
    visible = visible_podcast_ids(session, tenant_for(platform, team_id, viewer_id))
    feeds = feed_health(session, settings=settings, visible=visible)
    return WorkspaceOverview(channels=overviews, feeds=feeds)


def schedule_text(channel: Channel) -> str:
    days = "weekdays" if channel.weekdays_only else "every day"
    return f"{channel.brief_time} {channel.timezone}, {days}, {channel.brief_size} items"


def _channel_overview(session: Session, channel: Channel, now: datetime) -> ChannelOverview:
    subs = channel_store.list_subscriptions(session, channel)
    last = session.exec(
        select(Delivery)
        .where(Delivery.channel_id == channel.id)
        .order_by(col(Delivery.local_date).desc())
        .limit(1)
    ).first()
    return ChannelOverview(
        channel_ref=channel.channel_ref,
        name=channel.name,
        personal=bool(channel.user_id),
        topics=subs.topics,
        podcasts=[shown_name(p.title, p.url) for p in subs.podcasts],
        schedule=schedule_text(channel),
        next_brief=_next_brief(channel, last, now),
        last_brief=last.local_date if last else None,
        last_status=last.status if last else None,
    )


def _next_brief(channel: Channel, last: Delivery | None, now: datetime) -> datetime:
    """The next brief in the channel's own time zone (the scheduler's rule, not a copy of it)."""
    today = channel_schedule.local_today(channel, now)
    delivered_today = last is not None and last.local_date == today and last.status != "failed"
    instant = channel_schedule.next_brief_at(channel, now, delivered_today=delivered_today)
    return instant.astimezone(channel_schedule.channel_zone(channel))


def feed_health(
    session: Session,
    *,
    settings: Settings | None = None,
    failing_limit: int = 5,
    visible: frozenset[int] | None = None,
) -> FeedHealth:
    """How many feeds (of ``visible``) are in each health state, and the feeds with a problem,
    worst first."""
    rules = settings or Settings(_env_file=None)
    health = [feeds_health.feed_health(p, rules) for p in list_feeds(session, visible=visible)]
    worst = sorted((h for h in health if h.problem), key=lambda h: -h.failures)
    return FeedHealth(
        total=len(health),
        by_status=dict(Counter(h.state for h in health)),
        failing=[(h.name, h.summary()) for h in worst[:failing_limit]],
    )
