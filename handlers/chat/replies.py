"""What every platform sends to the chat layer and gets back: requests and neutral replies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from bot.core.values import Answer, Brief

GENERIC_ERROR = "Sorry, something went wrong on our side. It has been logged; please try again."


@dataclass(frozen=True)
class CommandRequest:
    """A command as typed by someone, platform details reduced to what the core needs."""

    platform: str  # slack | discord | console
    channel_ref: str
    user_id: str
    text: str  # everything after "/podbrief"
    team_id: str = ""
    is_admin: bool = True  # may change subscriptions and settings here
    is_dm: bool = False
    episode_id: int | None = None  # set for follow-ups in a brief's thread
    channel_name: str = ""  # for status lines and the App Home; "" when unknown


@dataclass(frozen=True)
class Line:
    """One line of a reply. ``text`` is untrusted and always escaped by the renderer."""

    text: str
    url: str | None = None  # when set, ``label`` (or ``text``) links to it
    label: str | None = None


@dataclass
class Reply:
    """A platform-neutral answer to a command; each adapter has one renderer for it."""

    title: str | None = None
    lines: list[Line] = field(default_factory=list)
    brief: Brief | None = None
    answer: Answer | None = None
    visibility: Literal["ephemeral", "in_channel"] = "ephemeral"
    error: bool = False

    @property
    def text(self) -> str:
        """Plain-text fallback (notifications, console)."""
        parts = [self.title] if self.title else []
        parts += [line.text for line in self.lines]
        return "\n".join(parts)


def format_day(day: date | datetime) -> str:
    """``Tue 1 Dec`` (portable: no platform-specific strftime flags)."""
    return f"{day:%a} {day.day} {day:%b}"
