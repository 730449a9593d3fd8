"""One definition of a feed's health, shared by `status`, `feeds list`, App Home and chat.

States: ``new`` (not fetched yet), ``active``, ``retrying`` (failed, fewer than FAILING_AFTER
polls in a row; next try given), ``failing`` (FAILING_AFTER or more in a row), ``gone`` (the
publisher answered 410), ``removed`` (unfollowed) and ``demo`` (a bundled sample of
`podbrief demo`, never polled). The last error is said in plain words.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from bot.core.config import Settings
from bot.core.models import Podcast
from bot.core.urlsafety import shown_name

log = logging.getLogger(__name__)

PROBLEMS = ("retrying", "failing", "gone")

# (pattern over the stored technical message, plain words); the first match wins.
_PLAIN: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), words)
    for pattern, words in (
        (r"cannot resolve host '?([^':\s]+)", "can't find the host {0} (check the address)"),
        (r"has no address", "the host has no address (check the address)"),
        (
            r"non-public address|refusing to fetch from|unusual IP address",
            "podbrief only fetches feeds on public addresses, and this one is private or local",
        ),
        (r"only http\(s\) URLs", "only http:// and https:// feed addresses can be followed"),
        (r"not a valid URL|has no host", "that is not a web address"),
        (r"HTTP 410", "the publisher has taken this feed down (HTTP 410 Gone)"),
        (r"HTTP 404", "there is no feed at that address (HTTP 404 Not Found)"),
        (r"HTTP 40[13]", "the server refuses to share this feed (HTTP {status})"),
        (r"HTTP 429", "the server asks us to slow down (HTTP 429); we wait as it asks"),
        (r"HTTP (5\d\d)", "the feed's server is having trouble (HTTP {0})"),
        (r"HTTP (\d{3})", "the server answered HTTP {0}"),
        (r"too large", "the feed is larger than MAX_FEED_BYTES allows"),
        (r"timed out", "the server took too long to answer"),
        (r"too many redirects", "the address redirects too many times"),
        (r"not an RSS or Atom feed|empty document|cannot parse feed", "that is not a podcast feed"),
        (r"Connection refused|connect", "couldn't connect to the server"),
    )
)


def plain_error(message: str | None) -> str | None:
    """A stored fetch or parse error in plain words ("can't find the host …"); None stays None."""
    if not message:
        return None
    for pattern, words in _PLAIN:
        match = pattern.search(message)
        if match:
            status = re.search(r"HTTP (\d{3})", message)
            return words.format(*match.groups(), status=status.group(1) if status else "")
    return message.splitlines()[0][:200]


@dataclass(frozen=True)
class FeedHealth:
    """A feed's health as every surface shows it."""

    podcast_id: int
    name: str
    state: str  # new | active | retrying | failing | gone | removed | demo
    failures: int = 0
    error: str | None = None  # the last error, in plain words
    last_success_at: datetime | None = None
    next_try_at: datetime | None = None

    @property
    def problem(self) -> bool:
        """Retrying, failing or gone: worth a line in `status` and App Home."""
        return self.state in PROBLEMS

    def summary(self, now: datetime | None = None) -> str:
        """``active`` · ``retrying (2 failures in a row; next try in 25 min)`` · ``gone: …``."""
        if self.state == "demo":
            return "demo sample (served only while `podbrief demo` runs; not polled)"
        if self.state == "new":
            return "new (not fetched yet)"
        if self.state in ("active", "removed"):
            return self.state
        detail = ""
        if self.state != "gone" and self.failures:
            polls = "failure" if self.failures == 1 else "failures"
            detail = f"{self.failures} {polls} in a row"
            if self.next_try_at is not None:
                detail += f"; next try {when(self.next_try_at, now)}"
            detail = f" ({detail})"
        return f"{self.state}{detail}: {self.error or 'unknown error'}"

    def last_success(self) -> str:
        """``last fetched 2026-12-01 08:30 UTC`` or ``never fetched``."""
        if self.last_success_at is None:
            return "never fetched"
        return f"last fetched {self.last_success_at:%Y-%m-%d %H:%M} UTC"

    def to_json(self) -> dict:
        """The ``health`` object in ``feeds list --json`` and ``status --json``."""
        return {
            "state": self.state,
            "failures": self.failures,
            "error": self.error,
            "last_success_at": _iso(self.last_success_at),
            "next_try_at": _iso(self.next_try_at),
        }


def feed_health(podcast: Podcast, settings: Settings) -> FeedHealth:
    """The health of one feed (the one place that decides it)."""
    assert podcast.id is not None
    return FeedHealth(
        podcast_id=podcast.id,
        name=shown_name(podcast.title, podcast.url),
        state=_state(podcast, settings),
        failures=podcast.failure_count,
        error=plain_error(podcast.last_error),
        last_success_at=podcast.last_success_at,
        next_try_at=podcast.next_poll_at if podcast.failure_count else None,
    )


def _state(podcast: Podcast, settings: Settings) -> str:
    if podcast.status == "removed":
        return "removed"
    if podcast.demo_sample:
        return "demo"
    if podcast.status == "gone":
        return "gone"
    if podcast.failure_count >= max(settings.failing_after, 1) or podcast.status == "failing":
        return "failing"
    if podcast.failure_count:
        return "retrying"
    if podcast.last_success_at is None:
        return "new"
    return "active"


def when(instant: datetime, now: datetime | None = None) -> str:
    """``in 25 min`` within the hour, else ``at 14:05 UTC`` (or a date when not today)."""
    if now is not None:
        minutes = (instant - now).total_seconds() / 60
        if minutes <= 1:
            return "now"
        if minutes < 60:
            return f"in {round(minutes)} min"
        if instant.date() == now.date():
            return f"at {instant:%H:%M} UTC"
    return f"{instant:%Y-%m-%d %H:%M} UTC"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
