"""Persistent 👍/👎/ask buttons under a brief; they keep working after a restart.

Each button is a ``DynamicItem`` whose ``custom_id`` carries the insight id, so no view state
needs to survive a restart: the client registers the classes with ``add_dynamic_items``.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Protocol

import discord

from bot.core.values import Brief

log = logging.getLogger(__name__)

MAX_ROWS = 5  # Discord allows five action rows per message: one per item


class BriefActions(Protocol):
    """What the buttons ask the running client to do (implemented in ``interactions.py``)."""

    async def feedback(self, interaction: discord.Interaction, insight_id: int, value: int) -> None:
        """Record 👍 (+1) / 👎 (-1) for the clicking user."""
        ...

    async def ask_about(self, interaction: discord.Interaction, insight_id: int) -> None:
        """Open the question modal for this item's episode."""
        ...


def actions_of(interaction: discord.Interaction) -> BriefActions:
    """The actions object the podbrief client carries (dependencies come through the client)."""
    return interaction.client.actions  # type: ignore[attr-defined]


class FeedbackButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"podbrief:fb:(?P<direction>up|down):(?P<insight_id>[0-9]+)",
):
    """👍 more like this / 👎 less like this."""

    def __init__(self, insight_id: int, value: int, *, row: int | None = None) -> None:
        direction = "up" if value > 0 else "down"
        super().__init__(
            discord.ui.Button(
                style=discord.ButtonStyle.secondary,
                emoji="👍" if value > 0 else "👎",
                label="More like this" if value > 0 else "Less like this",
                custom_id=f"podbrief:fb:{direction}:{insight_id}",
                row=row,
            )
        )
        self.insight_id = insight_id
        self.value = 1 if value > 0 else -1

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> FeedbackButton:
        value = 1 if match["direction"] == "up" else -1
        return cls(int(match["insight_id"]), value, row=item.row)

    async def callback(self, interaction: discord.Interaction) -> None:
        await actions_of(interaction).feedback(interaction, self.insight_id, self.value)


class AskButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"podbrief:ask:(?P<insight_id>[0-9]+)",
):
    """Ask a question about this item's episode; the answer goes to the brief's thread."""

    def __init__(self, insight_id: int, rank: int, *, row: int | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                style=discord.ButtonStyle.primary,
                label=f"Ask about #{rank}",
                custom_id=f"podbrief:ask:{insight_id}",
                row=row,
            )
        )
        self.insight_id = insight_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> AskButton:
        label = getattr(item, "label", None) or ""
        rank = int(label.rsplit("#", 1)[-1]) if label.rsplit("#", 1)[-1].isdigit() else 0
        return cls(int(match["insight_id"]), rank, row=item.row)

    async def callback(self, interaction: discord.Interaction) -> None:
        await actions_of(interaction).ask_about(interaction, self.insight_id)


def brief_view(brief: Brief) -> discord.ui.View:
    """One row of buttons per item (first five items); no timeout, stable custom ids."""
    view = discord.ui.View(timeout=None)
    for row, item in enumerate(brief.items[:MAX_ROWS]):
        view.add_item(FeedbackButton(item.insight_id, 1, row=row))
        view.add_item(FeedbackButton(item.insight_id, -1, row=row))
        view.add_item(AskButton(item.insight_id, item.rank, row=row))
    return view


def insight_ids_in(components: list[Any]) -> list[int]:
    """Insight ids of the ask buttons in a message's components, in order (rank order)."""
    ids: list[int] = []
    for row in components:
        for child in getattr(row, "children", []):
            match = re.fullmatch(r"podbrief:ask:([0-9]+)", getattr(child, "custom_id", "") or "")
            if match:
                ids.append(int(match[1]))
    return ids
