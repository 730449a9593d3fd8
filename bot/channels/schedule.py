"""When each channel's daily brief is due, in the channel's own time zone.

A brief time is wall-clock local time ("08:30" in Europe/Berlin). Daylight-saving changes:
a nonexistent local time (spring forward) is delivered the gap later (02:30 → 03:30), an
ambiguous one (fall back) at its first occurrence — both are what ``fold=0`` gives.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.channels.subscriptions import parse_brief_time, parse_timezone
from bot.core.errors import InvalidInput
from bot.core.models import Channel

log = logging.getLogger(__name__)


def channel_zone(channel: Channel) -> ZoneInfo:
    """The channel's zone; a bad stored value falls back to UTC rather than stopping briefs."""
    try:
        return ZoneInfo(parse_timezone(channel.timezone or "UTC"))
    except InvalidInput:
        log.warning("channel %s has unknown time zone %r; using UTC", channel.id, channel.timezone)
        return ZoneInfo("UTC")


def _channel_time(channel: Channel) -> time:
    try:
        hours, minutes = parse_brief_time(channel.brief_time or "08:00").split(":")
    except InvalidInput:
        log.warning("channel %s has bad brief time %r; using 08:00", channel.id, channel.brief_time)
        return time(8, 0)
    return time(int(hours), int(minutes))


def local_today(channel: Channel, now: datetime) -> date:
    """The channel's local calendar date at ``now``."""
    return now.astimezone(channel_zone(channel)).date()


def is_brief_day(channel: Channel, local_date: date) -> bool:
    """False on Saturday and Sunday for weekdays-only channels."""
    return not (channel.weekdays_only and local_date.weekday() >= 5)


def brief_instant(channel: Channel, local_date: date) -> datetime:
    """The UTC instant of the channel's brief on ``local_date`` (DST rules in the module doc)."""
    local = datetime.combine(local_date, _channel_time(channel), tzinfo=channel_zone(channel))
    # fold=0 maps a skipped time through the pre-transition offset, i.e. forward by the gap.
    return local.astimezone(UTC)


def due_date(channel: Channel, now: datetime) -> date | None:
    """The local date whose brief is due at ``now``, or None.

    Only the channel's local *today* is ever due: after downtime that gives one catch-up brief
    while it is still that day locally, and never a flood of briefs for days already gone.
    """
    today = local_today(channel, now)
    if not is_brief_day(channel, today):
        return None
    return today if now >= brief_instant(channel, today) else None


def next_brief_at(channel: Channel, now: datetime, *, delivered_today: bool) -> datetime:
    """The next UTC instant a brief will go out (``now`` itself when one is due and unsent)."""
    today = local_today(channel, now)
    for offset in range(8):
        day = today + timedelta(days=offset)
        if not is_brief_day(channel, day):
            continue
        if offset == 0 and delivered_today:
            continue
        instant = brief_instant(channel, day)
        if offset == 0 and instant <= now:
            return now
        if instant > now:
            return instant
    raise AssertionError("a week always holds a brief day")  # pragma: no cover
