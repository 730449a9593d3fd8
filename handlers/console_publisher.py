"""Briefs printed to the terminal: the publisher used when no chat tokens are set."""

from __future__ import annotations

import logging

from rich.console import Console

from bot.brief import Brief
from bot.models import Channel

log = logging.getLogger(__name__)


def brief_as_text(brief: Brief) -> str:
    """A plain-text brief: the console view and the fallback when a renderer is missing."""
    header = f"Your podcast brief · {brief.date:%a %-d %b}"
    if brief.topics:
        header += " · topics: " + ", ".join(brief.topics)
    if not brief.items:
        return f"{header}\n{brief.empty_reason or 'Nothing new for your topics today.'}"
    lines = [header]
    for item in brief.items:
        minutes, seconds = divmod(int(item.start), 60)
        lines.append(f"{item.rank}. {item.text}")
        lines.append(f'   "{item.quote}"')
        who = f"{item.speaker} · " if item.speaker else ""
        lines.append(f'   — {who}{item.podcast} · "{item.episode}" · ▶ {minutes}:{seconds:02d}')
    return "\n".join(lines)


class ConsolePublisher:
    """Prints briefs; the ledger alone keeps them to one per day (nothing to look up)."""

    platform = "console"

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console()

    def send_brief(self, channel: Channel, brief: Brief, *, delivery_id: int) -> str:
        """Print the brief under the channel's name."""
        from handlers.terminal_brief import print_brief

        self.console.rule(f"brief for {channel.name or channel.channel_ref}")
        print_brief(self.console, brief)
        return f"console:{delivery_id}"

    def find_sent(self, channel: Channel, *, delivery_id: int) -> str | None:
        """The terminal keeps no history to search."""
        return None
