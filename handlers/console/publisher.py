"""Briefs printed to the terminal: the publisher used when no chat tokens are set."""

from __future__ import annotations

import logging
from datetime import datetime

from rich.console import Console

from bot.core.models import Channel
from bot.core.values import Brief

log = logging.getLogger(__name__)


class ConsolePublisher:
    """Prints briefs; the ledger alone keeps them to one per day (nothing to look up)."""

    platform = "console"

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console()

    def send_brief(self, channel: Channel, brief: Brief, *, delivery_id: int) -> str:
        """Print the brief under the channel's name."""
        from handlers.console.render import print_brief

        self.console.rule(f"brief for {channel.name or channel.channel_ref}")
        print_brief(self.console, brief)
        return f"console:{delivery_id}"

    def find_sent(
        self, channel: Channel, *, delivery_id: int, since: datetime | None = None
    ) -> str | None:
        """The terminal keeps no history to search."""
        return None
