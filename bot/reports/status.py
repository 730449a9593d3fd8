"""Health at a glance: polling, failing feeds, the work queue, dead letters, briefs per channel.

``gather_status`` is shared by ``podbrief status`` and the chat ``/podbrief status`` command.
Other areas add their own lines (spend, budgets) with ``StatusReport.add_section``.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, select

from bot.channels.schedule import channel_zone, local_today, next_brief_at
from bot.core.models import Channel, Delivery, Episode
from bot.core.services import Services
from bot.core.tenancy import only_visible
from bot.costs.spend import spend_lines
from bot.feeds.health import FeedHealth, feed_health
from bot.feeds.store import list_feeds

log = logging.getLogger(__name__)

LIST_LIMIT = 10


@dataclass(frozen=True)
class FeedProblem:
    """A feed that is retrying, failing or gone (bot/feeds/health.py decides which)."""

    podcast_id: int
    title: str
    failures: int
    last_error: str | None  # in plain words
    state: str = "failing"
    text: str = ""  # the health summary, e.g. "retrying (1 failure in a row; next try in 25 min)"
    last_success: str = ""


@dataclass(frozen=True)
class DeadEpisode:
    episode_id: int
    title: str
    attempts: int
    reason: str | None


@dataclass(frozen=True)
class ChannelSchedule:
    channel_id: int
    name: str
    platform: str
    status: str
    next_brief: str | None  # ISO 8601 in the channel's own time zone; None when gone
    last_date: str | None = None
    last_status: str | None = None
    last_error: str | None = None
    next_brief_text: str | None = None  # "Wed 2 Dec 23:46 Asia/Kolkata (in 3 h)"
    personal: bool = False


@dataclass
class StatusReport:
    """Everything ``status`` shows; ``lines()`` for chat and terminal, ``to_json()`` for --json."""

    last_poll_at: datetime | None
    feeds: int
    failing_feeds: list[FeedProblem]  # every feed with a problem: retrying, failing or gone
    queue: dict[str, int]
    dead: list[DeadEpisode]
    channels: list[ChannelSchedule]
    sections: dict[str, list[str]] = field(default_factory=dict)
    feed_states: dict[str, int] = field(default_factory=dict)  # health state → feeds

    def add_section(self, title: str, lines: list[str]) -> None:
        """Extra lines from another area (e.g. "spend": today's and this month's cost)."""
        self.sections[title] = list(lines)

    def lines(self) -> list[str]:
        """Short human-readable lines, most important first."""
        polled = self.last_poll_at.strftime("%Y-%m-%d %H:%M UTC") if self.last_poll_at else "never"
        states = ", ".join(f"{n} {state}" for state, n in sorted(self.feed_states.items()))
        states = f" ({states})" if states else ""
        out = [f"Feeds: {self.feeds} followed{states}, last poll {polled}"]
        out += [f"  {f.title}: {f.text} · {f.last_success}" for f in self.failing_feeds]
        queue = ", ".join(f"{k} {v}" for k, v in sorted(self.queue.items())) or "empty"
        out.append(f"Episodes: {queue}")
        out += [f"  dead: #{d.episode_id} {d.title}: {d.reason}" for d in self.dead]
        for ch in self.channels:
            last = f"last {ch.last_date} {ch.last_status}" if ch.last_date else "no brief yet"
            if ch.last_error:
                last += f" ({ch.last_error})"
            when = f"next brief {ch.next_brief_text}" if ch.next_brief else f"{ch.status}"
            out.append(f"{_place(ch)}: {when}; {last}")
        for title, lines in self.sections.items():
            out.append(f"{title.capitalize()}:")
            out += [f"  {line}" for line in lines]
        return out

    def to_json(self) -> dict:
        """A JSON-ready dict (times as ISO 8601 strings)."""
        data = asdict(self)
        data["last_poll_at"] = self.last_poll_at.isoformat() if self.last_poll_at else None
        return data


def _place(ch: ChannelSchedule) -> str:
    """``Channel #general (slack)`` or ``Personal brief of ann (console)``."""
    if ch.personal:
        return f"Personal brief of {ch.name} ({ch.platform})"
    return f"Channel {ch.name or ch.channel_id} ({ch.platform})"


def brief_time_text(instant: datetime, zone: str, now: datetime) -> str:
    """``Wed 2 Dec 23:46 Asia/Kolkata (in 3 h)``; ``now`` when it is due."""
    if instant <= now:
        return "due now"
    local = instant.astimezone(ZoneInfo(zone)) if zone else instant
    hours = (instant - now).total_seconds() / 3600
    soon = f"in {round(hours * 60)} min" if hours < 1 else f"in {round(hours)} h"
    return f"{local:%a} {local.day} {local:%b %H:%M} {zone} ({soon})"


def gather_status(
    services: Services,
    session: Session,
    channel: Channel | None = None,
    *,
    visible: frozenset[int] | None = None,
) -> StatusReport:
    """The current health report; with ``channel``, only that channel's brief schedule, and
    with ``visible``, only those podcasts (a workspace sees its own, never another's)."""
    now = services.clock.now()
    feeds = list_feeds(session, visible=visible)
    health = [feed_health(p, services.settings) for p in feeds]
    queue = select(Episode.status, func.count()).group_by(Episode.status)
    report = StatusReport(
        last_poll_at=max((p.last_polled_at for p in feeds if p.last_polled_at), default=None),
        feeds=len(health),
        failing_feeds=[_problem(h, now) for h in health if h.problem][:LIST_LIMIT],
        queue=dict(session.exec(only_visible(queue, Episode.podcast_id, visible)).all()),
        dead=_dead_episodes(session, visible),
        channels=[_channel_schedule(session, ch, now) for ch in _channels(session, channel)],
        feed_states=dict(Counter(h.state for h in health)),
    )
    if visible is None:  # paid-service spend is the operator's, across every workspace
        report.add_section("spend", spend_lines(session, services.settings, now))
    return report


def _problem(health: FeedHealth, now: datetime) -> FeedProblem:
    return FeedProblem(
        podcast_id=health.podcast_id,
        title=health.name,
        failures=health.failures,
        last_error=health.error,
        state=health.state,
        text=health.summary(now),
        last_success=health.last_success(),
    )


def _dead_episodes(session: Session, visible: frozenset[int] | None) -> list[DeadEpisode]:
    query = only_visible(
        select(Episode)
        .where(Episode.status == "dead")
        .order_by(Episode.updated_at.desc())
        .limit(LIST_LIMIT),
        Episode.podcast_id,
        visible,
    )
    return [DeadEpisode(e.id, e.title, e.attempts, e.status_reason) for e in session.exec(query)]


def _channels(session: Session, channel: Channel | None) -> list[Channel]:
    if channel is not None:
        return [channel]
    return list(session.exec(select(Channel).order_by(Channel.id)))


def _channel_schedule(session: Session, channel: Channel, now: datetime) -> ChannelSchedule:
    last = session.exec(
        select(Delivery)
        .where(Delivery.channel_id == channel.id)
        .order_by(Delivery.local_date.desc())
        .limit(1)
    ).first()
    delivered_today = last is not None and last.local_date == local_today(channel, now)
    next_brief = next_text = None
    if channel.status == "active":
        instant = next_brief_at(channel, now, delivered_today=delivered_today)
        zone = channel_zone(channel)
        next_brief = instant.astimezone(zone).isoformat(timespec="minutes")
        next_text = brief_time_text(instant, str(zone), now)
    return ChannelSchedule(
        channel_id=channel.id,
        name=(channel.user_id if channel.user_id else channel.name or channel.channel_ref),
        platform=channel.platform,
        personal=bool(channel.user_id),
        next_brief_text=next_text,
        status=channel.status
        if channel.status == "active"
        else f"{channel.status}: {channel.status_reason}",
        next_brief=next_brief,
        last_date=last.local_date.isoformat() if last else None,
        last_status=last.status if last else None,
        last_error=last.error if last else None,
    )
