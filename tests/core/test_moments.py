"""How a moment in an episode is written and linked, the same on every surface."""

from __future__ import annotations

from bot.core.moments import format_timestamp, moment_url


def test_timestamps_read_as_minutes_then_hours():
    assert format_timestamp(754.9) == "12:34"
    assert format_timestamp(3723) == "1:02:03"
    assert format_timestamp(-5) == "0:00"


def test_moment_url_replaces_any_fragment_and_falls_back_to_the_page():
    assert moment_url("https://a/x.mp3#old", None, 12.7) == "https://a/x.mp3#t=12"
    assert moment_url(None, "https://e.example/1", 12.7) == "https://e.example/1"
    assert moment_url("", None, 3) == ""


def test_an_untimed_moment_shows_no_zero_time_and_links_the_episode():
    from bot.core.moments import UNTIMED, is_timed, moment_label, short_time

    assert not is_timed(UNTIMED) and is_timed(0.0)
    assert moment_label(UNTIMED) == "episode" and moment_label(75) == "▶ 1:15"
    assert short_time(UNTIMED) == "episode"
    assert moment_url("https://a/x.mp3", "https://e.example/1", UNTIMED) == "https://e.example/1"
    assert moment_url("https://a/x.mp3#t=3", None, UNTIMED) == "https://a/x.mp3"
