"""ONE command table, parser and router shared by every platform.

Adapters translate only: platform payload → ``CommandRequest`` → ``dispatch`` → neutral
``Reply`` → platform rendering.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from bot.core.errors import PodbriefError
from bot.core.services import Services
from bot.core.values import Answer, Brief
from handlers.chat.distinct import distinct_quote  # noqa: F401  (re-exported for the renderers)

log = logging.getLogger(__name__)

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


@dataclass(frozen=True)
class Arg:
    """One argument; ``rest`` takes the remainder of the line (questions, topics)."""

    name: str
    description: str
    required: bool = True
    kind: Literal["text", "topic", "podcast", "episode", "int", "url", "flag"] = "text"
    rest: bool = False


Handler = Callable[[Services, CommandRequest, dict], Reply]


@dataclass(frozen=True)
class ParsedCommand:
    command: Command
    args: dict[str, Any]


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    summary: str  # one line, ≤ 100 characters (Discord description limit)
    args: tuple[Arg, ...] = ()
    admin_only: bool = False
    handler: Handler | None = None


def command_table() -> tuple[Command, ...]:
    """Every chat command, in help order. Handlers are bound in ``handlers/command_handlers.py``."""
    topic = Arg("topic", "A topic, e.g. open-source AI", kind="topic", rest=True)
    return (
        Command(
            "subscribe",
            "subscribe [--me] TOPIC",
            "Follow a topic in this channel's brief (--me: your personal DM brief)",
            (Arg("me", "Personal brief by DM", False, "flag"), topic),
            admin_only=True,
        ),
        Command(
            "unsubscribe",
            "unsubscribe [--me] TOPIC",
            "Stop following a topic",
            (Arg("me", "Personal brief by DM", False, "flag"), topic),
            admin_only=True,
        ),
        Command("topics", "topics", "List the topics and podcasts this channel follows"),
        Command(
            "follow",
            "follow FEED_URL",
            "Follow a podcast feed in this channel",
            (Arg("feed_url", "The podcast's RSS or Atom feed URL", kind="url"),),
            admin_only=True,
        ),
        Command(
            "unfollow",
            "unfollow PODCAST",
            "Stop following a podcast",
            (Arg("podcast", "Podcast id or name", kind="podcast", rest=True),),
            admin_only=True,
        ),
        Command("podcasts", "podcasts", "List followed podcasts and their feed health"),
        Command(
            "episodes",
            "episodes [PODCAST]",
            "Recent episodes, optionally of one podcast",
            (Arg("podcast", "Podcast id or name", False, "podcast", rest=True),),
        ),
        Command(
            "summary",
            "summary EPISODE",
            "Summary of one episode with key moments",
            (Arg("episode", "Episode id", kind="episode"),),
        ),
        Command(
            "brief",
            "brief [--me]",
            "Post today's brief for this channel now (--me: your personal brief)",
            (Arg("me", "Your personal DM brief", False, "flag"),),
        ),
        Command(
            "ask",
            "ask [--share] QUESTION",
            "Answer a question from the transcripts, with citations",
            (
                Arg("share", "Post the answer for the whole channel", False, "flag"),
                Arg("question", "Your question", rest=True),
            ),
        ),
        Command(
            "search",
            "search TERMS",
            "Find passages in the transcripts",
            (Arg("terms", "Words to look for", rest=True),),
        ),
        Command(
            "settings",
            "settings [--me] [time HH:MM] [tz ZONE] [weekdays on|off] [size N]",
            "Show or change brief time, time zone, weekdays-only and brief size",
            (
                Arg("me", "Your personal DM brief", False, "flag"),
                Arg("changes", "e.g. time 08:30 tz Europe/Berlin", False, rest=True),
            ),
            admin_only=True,
        ),
        Command("status", "status", "Feeds, failures, queue, next brief and spend"),
        Command(
            "why",
            "why [--me]",
            "Why today's brief picked these items",
            (Arg("me", "Your personal DM brief", False, "flag"),),
        ),
        Command(
            "help",
            "help [COMMAND]",
            "Show what podbrief can do",
            (Arg("command", "A command name", False),),
        ),
    )


# --- help and dispatch ----------------------------------------------------------------------


def parse(text: str) -> ParsedCommand:
    """Turn what someone typed into a command and its arguments; InvalidInput when it can't."""
    from handlers.chat.parser import parse_command

    return parse_command(text)


def help_reply(name: str | None = None) -> Reply:
    """Help generated from the command table: every command, or one in detail."""
    if name:
        from handlers.chat.parser import find_command

        command = find_command(name)
        lines = [Line(command.summary)]
        lines += [
            Line(f"{arg.name}: {arg.description}" + ("" if arg.required else " (optional)"))
            for arg in command.args
        ]
        if command.admin_only:
            lines.append(Line("Changing this channel needs a workspace admin."))
        return Reply(title=f"/podbrief {command.usage}", lines=lines)
    lines = [Line(f"{command.usage} — {command.summary}") for command in command_table()]
    return Reply(title="podbrief commands", lines=lines)


def is_personal(request: CommandRequest, args: dict[str, Any]) -> bool:
    """Personal (DM brief) requests: ``--me`` or typed in a direct message."""
    return bool(args.get("me")) or request.is_dm


def dispatch(services: Services, request: CommandRequest) -> Reply:
    """Parse, check permission, run the handler; every failure becomes a short reply."""
    from handlers.chat.subscriptions import HANDLERS

    try:
        parsed = parse(request.text)
        command, args = parsed.command, parsed.args
        if command.admin_only and not request.is_admin and not is_personal(request, args):
            return Reply(
                lines=[Line(f"Only workspace admins can `{command.name}` for this channel.")],
                error=True,
            )
        return HANDLERS[command.name](services, request, args)
    except PodbriefError as err:
        return Reply(lines=[Line(str(err))], error=True)
    except Exception:
        log.exception("command failed: %s", request.text[:200])
        return Reply(lines=[Line(GENERIC_ERROR)], error=True)


def format_day(day: date | datetime) -> str:
    """``Tue 1 Dec`` (portable: no platform-specific strftime flags)."""
    return f"{day:%a} {day.day} {day:%b}"
