"""Channels, their subscriptions (topics and podcasts) and their brief schedule."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import func
from sqlmodel import Session, select

from bot.core.errors import InvalidInput, NotFound
from bot.core.models import Channel, Podcast, Subscription
from bot.core.urlsafety import shown_name
from bot.feeds import catalog

log = logging.getLogger(__name__)

MAX_TOPIC_CHARS = 80
MAX_BRIEF_SIZE = 10
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Subscriptions:
    """What one channel follows."""

    topics: list[str]
    podcasts: list[Podcast]


def get_or_create_channel(
    session: Session,
    *,
    platform: str,
    team_id: str,
    channel_ref: str,
    user_id: str = "",
    name: str = "",
) -> Channel:
    """The Channel row for a place (a user's personal DM brief when ``user_id`` is set)."""
    channel = find_channel(
        session, platform=platform, team_id=team_id, channel_ref=channel_ref, user_id=user_id
    )
    if channel is not None:
        if name and channel.name != name:
            channel.name = name
            session.add(channel)
        return channel
    channel = Channel(
        platform=platform, team_id=team_id, channel_ref=channel_ref, user_id=user_id, name=name
    )
    session.add(channel)
    session.flush()
    log.info("new channel %s/%s/%s user=%s", platform, team_id, channel_ref, bool(user_id))
    return channel


def find_channel(
    session: Session, *, platform: str, team_id: str, channel_ref: str, user_id: str = ""
) -> Channel | None:
    """The Channel row for a place, or None when nothing was ever set up there."""
    query = select(Channel).where(
        Channel.platform == platform,
        Channel.team_id == team_id,
        Channel.channel_ref == channel_ref,
        Channel.user_id == user_id,
    )
    return session.exec(query).first()


def normalise_topic(topic: str) -> str:
    """A topic as stored: single spaces, no surrounding quotes or punctuation."""
    cleaned = " ".join(topic.split()).strip(" \"'“”‘’.,;")
    if not cleaned:
        raise InvalidInput("Give a topic, e.g. `subscribe open-source AI`.")
    if len(cleaned) > MAX_TOPIC_CHARS:
        raise InvalidInput(f"Topics are at most {MAX_TOPIC_CHARS} characters.")
    return cleaned


def _topic_row(session: Session, channel: Channel, topic: str) -> Subscription | None:
    query = select(Subscription).where(
        Subscription.channel_id == channel.id,
        func.lower(Subscription.topic) == topic.casefold(),
    )
    return session.exec(query).first()


def subscribe_topic(session: Session, channel: Channel, topic: str, *, user_id: str = "") -> bool:
    """Follow ``topic``; False when the channel already follows it."""
    topic = normalise_topic(topic)
    if _topic_row(session, channel, topic) is not None:
        return False
    session.add(Subscription(channel_id=channel.id, topic=topic, created_by=user_id))
    session.flush()
    return True


def unsubscribe_topic(session: Session, channel: Channel, topic: str) -> None:
    """Stop following ``topic``; NotFound when the channel does not follow it."""
    topic = normalise_topic(topic)
    row = _topic_row(session, channel, topic)
    if row is None:
        raise NotFound(f"This channel does not follow “{topic}”.")
    session.delete(row)
    session.flush()


def follow_podcast(
    session: Session, channel: Channel, podcast: Podcast, *, user_id: str = ""
) -> bool:
    """Subscribe the channel to a podcast; False when it already follows it."""
    query = select(Subscription).where(
        Subscription.channel_id == channel.id, Subscription.podcast_id == podcast.id
    )
    if session.exec(query).first() is not None:
        return False
    session.add(Subscription(channel_id=channel.id, podcast_id=podcast.id, created_by=user_id))
    session.flush()
    return True


def unfollow_podcast(session: Session, channel: Channel, podcast_ref: str) -> Podcast:
    """Stop following a podcast given by id or title; returns it."""
    podcast = catalog.find_podcast(session, podcast_ref)
    query = select(Subscription).where(
        Subscription.channel_id == channel.id, Subscription.podcast_id == podcast.id
    )
    row = session.exec(query).first()
    if row is None:
        raise NotFound(f"This channel does not follow {shown_name(podcast.title, podcast.url)}.")
    session.delete(row)
    session.flush()
    return podcast


def list_subscriptions(session: Session, channel: Channel) -> Subscriptions:
    """The topics (in the order added) and podcasts a channel follows."""
    rows = session.exec(
        select(Subscription).where(Subscription.channel_id == channel.id).order_by(Subscription.id)
    ).all()
    topics = [row.topic for row in rows if row.topic]
    podcast_ids = [row.podcast_id for row in rows if row.podcast_id is not None]
    podcasts = []
    if podcast_ids:
        query = select(Podcast).where(Podcast.id.in_(podcast_ids)).order_by(Podcast.id)
        podcasts = list(session.exec(query).all())
    return Subscriptions(topics=topics, podcasts=podcasts)


def parse_brief_time(value: str) -> str:
    """``8:30`` / ``08:30`` → ``08:30``; InvalidInput otherwise."""
    match = _HHMM.match(value.strip())
    if not match:
        raise InvalidInput(f"“{value}” is not a time; use 24-hour HH:MM, e.g. 08:30.")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def parse_timezone(value: str) -> str:
    """An IANA zone name (case-insensitive), canonically spelled; InvalidInput otherwise."""
    value = value.strip()
    try:
        ZoneInfo(value)
        return value
    except (ZoneInfoNotFoundError, ValueError):
        pass
    by_fold = {zone.casefold(): zone for zone in available_timezones()}
    if value.casefold() in by_fold:
        return by_fold[value.casefold()]
    raise InvalidInput(f"“{value}” is not a time zone; use an IANA name like Europe/Berlin.")


def parse_brief_size(value: int | str) -> int:
    """A brief size between 1 and 10."""
    try:
        size = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"“{value}” is not a number; use 1–{MAX_BRIEF_SIZE}.") from None
    if not 1 <= size <= MAX_BRIEF_SIZE:
        raise InvalidInput(f"Brief size must be between 1 and {MAX_BRIEF_SIZE}.")
    return size


def update_schedule(
    session: Session,
    channel: Channel,
    *,
    brief_time: str | None = None,
    timezone: str | None = None,
    weekdays_only: bool | None = None,
    brief_size: int | None = None,
) -> Channel:
    """Validate every given value first, then change them together (all or nothing)."""
    changes: dict[str, object] = {}
    if brief_time is not None:
        changes["brief_time"] = parse_brief_time(brief_time)
    if timezone is not None:
        changes["timezone"] = parse_timezone(timezone)
    if weekdays_only is not None:
        changes["weekdays_only"] = bool(weekdays_only)
    if brief_size is not None:
        changes["brief_size"] = parse_brief_size(brief_size)
    for key, value in changes.items():
        setattr(channel, key, value)
    session.add(channel)
    session.flush()
    return channel


def team_channels(session: Session, *, platform: str, team_id: str) -> list[Channel]:
    """Every active channel of a workspace (Slack team / Discord guild)."""
    query = (
        select(Channel)
        .where(Channel.platform == platform, Channel.team_id == team_id)
        .where(Channel.status == "active")
        .order_by(Channel.id)
    )
    return list(session.exec(query).all())
