"""One definition of feed health: the states, the words for errors, the next try."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.config import Settings
from bot.core.models import Podcast
from bot.feeds.health import feed_health, plain_error, when
from bot.feeds.polling_state import record_failure, record_gone

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SETTINGS = Settings(_env_file=None)  # FAILING_AFTER=3


def podcast(**fields) -> Podcast:
    return Podcast(id=1, url="https://example.org/f.xml", title="Build Weekly", **fields)


def test_one_failure_is_retrying_with_the_next_try_and_three_are_failing():
    feed = podcast(last_success_at=NOW - timedelta(days=1))
    record_failure(
        feed, "HTTP 503 Service Unavailable from https://example.org/f.xml", NOW, SETTINGS
    )
    health = feed_health(feed, SETTINGS)
    assert (health.state, health.failures, health.problem) == ("retrying", 1, True)
    assert health.next_try_at == NOW + timedelta(minutes=30)
    assert health.summary(NOW) == (
        "retrying (1 failure in a row; next try in 30 min): "
        "the feed's server is having trouble (HTTP 503)"
    )
    assert health.last_success() == "last fetched 2026-11-30 12:00 UTC"
    for _ in range(2):
        record_failure(feed, "HTTP 503 Service Unavailable", NOW, SETTINGS)
    assert feed_health(feed, SETTINGS).state == "failing"  # FAILING_AFTER polls in a row


def test_failing_after_is_the_setting_not_a_constant():
    feed = podcast(failure_count=1, last_error="HTTP 500")
    assert feed_health(feed, SETTINGS.model_copy(update={"failing_after": 1})).state == "failing"


def test_gone_active_new_removed_and_demo():
    gone = podcast(last_success_at=NOW)
    record_gone(gone, "HTTP 410 Gone from https://example.org/f.xml", NOW)
    assert feed_health(gone, SETTINGS).summary() == (
        "gone: the publisher has taken this feed down (HTTP 410 Gone)"
    )
    assert feed_health(podcast(last_success_at=NOW), SETTINGS).summary() == "active"
    assert feed_health(podcast(), SETTINGS).state == "new"
    assert feed_health(podcast(status="removed"), SETTINGS).state == "removed"
    demo = feed_health(podcast(demo_sample="build-weekly", failure_count=5), SETTINGS)
    assert demo.state == "demo" and not demo.problem  # the demo's feeds never alarm status


@pytest.mark.parametrize(
    ("message", "words"),
    [
        (
            "cannot resolve host 'feeds.example-podcasts.invalid': [Errno -2] Name unknown",
            "can't find the host feeds.example-podcasts.invalid (check the address)",
        ),
        (
            "refusing to fetch from non-public address 127.0.0.1",
            "podbrief only fetches feeds on public addresses, and this one is private or local",
        ),
        ("https://x.org/: not an RSS or Atom feed", "that is not a podcast feed"),
        (
            "HTTP 404 Not Found from https://x.org/f",
            "there is no feed at that address (HTTP 404 Not Found)",
        ),
        (
            "https://x.org/f is too large (over 10 bytes)",
            "the feed is larger than MAX_FEED_BYTES allows",
        ),
        ("timed out fetching https://x.org/f (ReadTimeout)", "the server took too long to answer"),
        ("something odd", "something odd"),
    ],
)
def test_errors_in_plain_words(message, words):
    assert plain_error(message) == words


def test_when_reads_like_a_person_would_say_it():
    assert when(NOW + timedelta(minutes=25), NOW) == "in 25 min"
    assert when(NOW + timedelta(hours=3), NOW) == "at 15:00 UTC"
    assert when(NOW + timedelta(days=2), NOW) == "2026-12-03 12:00 UTC"
