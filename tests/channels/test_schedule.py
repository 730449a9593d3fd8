"""Per-channel brief times in IANA zones, across daylight-saving changes and downtime."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.channels.schedule import brief_instant, due_date, next_brief_at, resolve_timezone
from bot.channels.subscriptions import parse_brief_time, parse_timezone
from bot.core.errors import InvalidInput
from bot.core.models import Channel


def channel(brief_time: str = "08:00", tz: str = "UTC", weekdays_only: bool = False) -> Channel:
    return Channel(
        id=1,
        platform="slack",
        channel_ref="C1",
        brief_time=brief_time,
        timezone=tz,
        weekdays_only=weekdays_only,
    )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tz", "day", "expected_utc"),
    [
        # Berlin: CET (+1) in winter, CEST (+2) in summer; 2026 switches 29 Mar and 25 Oct.
        ("Europe/Berlin", date(2026, 1, 15), utc(2026, 1, 15, 7, 0)),
        ("Europe/Berlin", date(2026, 7, 15), utc(2026, 7, 15, 6, 0)),
        ("Europe/Berlin", date(2026, 3, 29), utc(2026, 3, 29, 6, 0)),
        ("Europe/Berlin", date(2026, 10, 25), utc(2026, 10, 25, 7, 0)),
        # New York: 2026 switches 8 Mar and 1 Nov.
        ("America/New_York", date(2026, 3, 7), utc(2026, 3, 7, 13, 0)),
        ("America/New_York", date(2026, 3, 8), utc(2026, 3, 8, 12, 0)),
        ("America/New_York", date(2026, 10, 31), utc(2026, 10, 31, 12, 0)),
        ("America/New_York", date(2026, 11, 1), utc(2026, 11, 1, 13, 0)),
        # Auckland is ahead of UTC: 08:00 local is the previous UTC day (NZDT +13 in Jan).
        ("Pacific/Auckland", date(2026, 1, 15), utc(2026, 1, 14, 19, 0)),
        ("Pacific/Auckland", date(2026, 7, 15), utc(2026, 7, 14, 20, 0)),
    ],
)
def test_brief_time_is_local_wall_clock_time_in_every_season(tz, day, expected_utc):
    assert brief_instant(channel("08:00", tz), day) == expected_utc


def test_nonexistent_local_time_is_sent_the_gap_later():
    # 02:30 does not exist in Berlin on 29 Mar 2026 (02:00 → 03:00): it goes out at 03:30 CEST.
    assert brief_instant(channel("02:30", "Europe/Berlin"), date(2026, 3, 29)) == utc(
        2026, 3, 29, 1, 30
    )
    # New York springs forward 8 Mar 2026: 02:30 → 03:30 EDT = 07:30 UTC.
    assert brief_instant(channel("02:30", "America/New_York"), date(2026, 3, 8)) == utc(
        2026, 3, 8, 7, 30
    )
    # Auckland springs forward 27 Sep 2026 (02:00 → 03:00 NZDT).
    assert brief_instant(channel("02:15", "Pacific/Auckland"), date(2026, 9, 27)) == utc(
        2026, 9, 26, 14, 15
    )


def test_ambiguous_local_time_is_sent_once_at_its_first_occurrence():
    ch = channel("02:30", "Europe/Berlin")
    first = brief_instant(ch, date(2026, 10, 25))
    assert first == utc(2026, 10, 25, 0, 30)  # 02:30 CEST, not the repeat at 02:30 CET
    assert due_date(ch, utc(2026, 10, 25, 0, 29)) is None
    assert due_date(ch, utc(2026, 10, 25, 0, 30)) == date(2026, 10, 25)
    ny = channel("01:30", "America/New_York")
    assert brief_instant(ny, date(2026, 11, 1)) == utc(2026, 11, 1, 5, 30)  # EDT occurrence
    # Auckland falls back 5 Apr 2026 (03:00 NZDT → 02:00 NZST).
    akl = channel("02:30", "Pacific/Auckland")
    assert brief_instant(akl, date(2026, 4, 5)) == utc(2026, 4, 4, 13, 30)


def test_due_only_after_local_brief_time_today():
    ch = channel("08:30", "Europe/Berlin")
    assert due_date(ch, utc(2026, 12, 1, 7, 29)) is None
    assert due_date(ch, utc(2026, 12, 1, 7, 30)) == date(2026, 12, 1)


def test_local_date_not_utc_date_decides_the_day():
    ch = channel("08:00", "Pacific/Auckland")
    # 20:00 UTC on 1 Dec is 09:00 on 2 Dec in Auckland: the 2 Dec brief is due.
    assert due_date(ch, utc(2026, 12, 1, 20, 0)) == date(2026, 12, 2)
    # 18:00 UTC on 1 Dec is 07:00 on 2 Dec: not yet; and 1 Dec is over locally.
    assert due_date(ch, utc(2026, 12, 1, 18, 0)) is None


def test_catch_up_after_downtime_is_today_only_never_old_days():
    ch = channel("08:00", "America/New_York")
    # Down from Monday morning until Wednesday 22:00 local: only Wednesday's brief is due.
    assert due_date(ch, utc(2026, 12, 3, 3, 0)) == date(2026, 12, 2)
    # Past local midnight the missed day is gone; Thursday's is not due until 08:00.
    assert due_date(ch, utc(2026, 12, 3, 5, 1)) is None


def test_weekdays_only_skips_weekends():
    ch = channel("08:00", "UTC", weekdays_only=True)
    assert due_date(ch, utc(2026, 12, 5, 9, 0)) is None  # Saturday
    assert next_brief_at(ch, utc(2026, 12, 5, 9, 0), delivered_today=False) == utc(
        2026, 12, 7, 8, 0
    )


def test_next_brief_is_now_when_due_and_tomorrow_once_delivered():
    ch = channel("08:00", "Europe/Berlin")
    now = utc(2026, 12, 1, 9, 0)
    assert next_brief_at(ch, now, delivered_today=False) == now
    assert next_brief_at(ch, now, delivered_today=True) == utc(2026, 12, 2, 7, 0)
    assert next_brief_at(ch, utc(2026, 12, 1, 6, 0), delivered_today=False) == utc(
        2026, 12, 1, 7, 0
    )


def test_bad_settings_give_one_line_errors():
    with pytest.raises(InvalidInput, match="HH:MM"):
        parse_brief_time("8 o'clock")
    with pytest.raises(InvalidInput, match="HH:MM"):
        parse_brief_time("25:00")
    with pytest.raises(InvalidInput, match="IANA"):
        parse_timezone("Mars/Olympus")
    assert parse_timezone("europe/berlin") == "Europe/Berlin"


def test_bad_stored_zone_falls_back_to_utc_instead_of_stopping_briefs():
    assert brief_instant(channel("08:00", "Not/AZone"), date(2026, 12, 1)) == utc(2026, 12, 1, 8)


@pytest.mark.parametrize(
    ("typed", "region"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("Berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("UTC", "UTC"),
        ("gmt", "UTC"),
    ],
)
def test_regions_are_resolved_from_what_people_type(typed, region):
    assert resolve_timezone(typed) == region


@pytest.mark.parametrize(
    ("typed", "suggestion"),
    [
        ("est", "America/New_York"),
        ("PST", "America/Los_Angeles"),
        ("cet", "Europe/Berlin"),
        ("EST5EDT", "America/New_York"),
    ],
)
def test_abbreviations_are_refused_with_the_region_they_mean(typed, suggestion):
    with pytest.raises(InvalidInput) as refused:
        resolve_timezone(typed)
    assert f"Did you mean {suggestion}?" in str(refused.value)
    assert "daylight saving" in str(refused.value)


def test_a_misspelled_region_gets_suggestions():
    with pytest.raises(InvalidInput, match="Did you mean Europe/Berlin"):
        resolve_timezone("Berln")
    with pytest.raises(InvalidInput, match="is not a time zone"):
        resolve_timezone("Mars/Olympus")
