"""The one command table shared by every platform (help, parser, Slack manifest, Discord tree)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from bot.core.services import Services
from handlers.chat.replies import CommandRequest, Reply


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
    """Every chat command, in help order. Handlers are bound in ``handlers/chat/router.py``."""
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
            "Follow a podcast in this channel (its feed is checked first)",
            (Arg("feed_url", "The podcast's RSS feed URL, or its web page", kind="url"),),
            admin_only=True,
        ),
        Command(
            "unfollow",
            "unfollow PODCAST",
            "Stop following a podcast",
            (Arg("podcast", "Podcast id or name", kind="podcast", rest=True),),
            admin_only=True,
        ),
        Command(
            "podcasts", "podcasts", "The podcasts this channel follows, with their feed health"
        ),
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
                Arg(
                    "changes",
                    "e.g. time 08:30 tz Europe/Berlin (a region, not EST)",
                    False,
                    rest=True,
                ),
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
