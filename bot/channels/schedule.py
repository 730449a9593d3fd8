"""When each channel's daily brief is due, in the channel's own time zone.

A brief time is wall-clock local time ("08:30" in Europe/Berlin). Daylight-saving changes:
a nonexistent local time (spring forward) is delivered the gap later (02:30 → 03:30), an
ambiguous one (fall back) at its first occurrence — both are what ``fold=0`` gives.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

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


# Abbreviations people type, and the region each most often means. A region follows daylight
# saving; the fixed-offset zones tzdata keeps for these names ("EST") never do.
ABBREVIATIONS = {
    "est": "America/New_York",
    "edt": "America/New_York",
    "et": "America/New_York",
    "eastern": "America/New_York",
    "cst": "America/Chicago",
    "cdt": "America/Chicago",
    "ct": "America/Chicago",
    "central": "America/Chicago",
    "mst": "America/Denver",
    "mdt": "America/Denver",
    "mt": "America/Denver",
    "mountain": "America/Denver",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "pt": "America/Los_Angeles",
    "pacific": "America/Los_Angeles",
    "akst": "America/Anchorage",
    "hst": "Pacific/Honolulu",
    "bst": "Europe/London",
    "wet": "Europe/Lisbon",
    "cet": "Europe/Berlin",
    "cest": "Europe/Berlin",
    "met": "Europe/Berlin",
    "eet": "Europe/Athens",
    "eest": "Europe/Athens",
    "msk": "Europe/Moscow",
    "ist": "Asia/Kolkata",
    "jst": "Asia/Tokyo",
    "kst": "Asia/Seoul",
    "aest": "Australia/Sydney",
    "aedt": "Australia/Sydney",
    "nzst": "Pacific/Auckland",
}
# Zones with no region behind them, besides the abbreviations: "EST5EDT", "Etc/GMT+5".
_FIXED = re.compile(r"^(Etc/GMT[+-]\d+|[A-Z]{3,4}\d[A-Z]{3,4}|EST|MST|HST)$")
UNIVERSAL = {"utc", "gmt", "z", "zulu", "etc/utc", "etc/gmt", "universal"}


def resolve_timezone(value: str) -> str:
    """An IANA region for what someone typed: ``europe/berlin`` → ``Europe/Berlin``,
    ``Berlin`` → ``Europe/Berlin``; an abbreviation (``est``) or a fixed-offset zone is
    refused with the region it most likely means, so daylight saving is never lost silently."""
    text = value.strip()
    folded = text.casefold()
    if folded in UNIVERSAL:
        return "UTC"
    if folded in ABBREVIATIONS or _FIXED.match(text) or _FIXED.match(text.upper()):
        guess = ABBREVIATIONS.get(folded) or _region_for_fixed(text) or "America/New_York"
        kind = "an abbreviation" if folded in ABBREVIATIONS else "a fixed-offset zone"
        raise InvalidInput(
            f"“{text}” is {kind}, not a region, so daylight saving would be lost. "
            f"Did you mean {guess}? (`settings tz {guess}`)"
        )
    zones = {zone.casefold(): zone for zone in available_timezones() if "/" in zone}
    if folded in zones:
        return zones[folded]
    cities = _by_city(zones.values())
    key = folded.replace(" ", "_")
    if key in cities:
        return cities[key]
    close = difflib.get_close_matches(key, list(cities), n=3, cutoff=0.75)
    offer = ", ".join(cities[c] for c in close) or "Europe/Berlin, America/New_York"
    raise InvalidInput(f"“{text}” is not a time zone. Did you mean {offer}?")


def _by_city(zones: Iterable[str]) -> dict[str, str]:
    """``berlin`` → ``Europe/Berlin``: the last part of each region (first one wins)."""
    cities: dict[str, str] = {}
    for zone in sorted(zones):
        if zone.startswith(("Etc/", "SystemV/", "US/")):
            continue
        cities.setdefault(zone.rsplit("/", 1)[-1].casefold(), zone)
    return cities


def _region_for_fixed(text: str) -> str | None:
    """The region behind a POSIX-style zone name: ``EST5EDT`` → America/New_York."""
    return ABBREVIATIONS.get(text[:3].casefold())
