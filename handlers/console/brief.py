"""Rich rendering of a Brief and an episode summary for the terminal (CLI and demo)."""

from __future__ import annotations

import logging

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from bot.core.moments import format_timestamp
from bot.core.values import Brief, BriefItem
from bot.insights.summaries import SummaryView
from handlers.chat.distinct import distinct_quote

log = logging.getLogger(__name__)


def render_brief(brief: Brief) -> RenderableType:
    """The brief layout of DESIGN.md: claim, quote, who · show · episode · ▶ time, also said on."""
    day = f"{brief.date:%a} {brief.date.day} {brief.date:%b}"
    topics = ", ".join(brief.topics) or "no topics"
    parts: list[RenderableType] = [
        Text.from_markup(f"[bold]Your podcast brief[/] · {day} · topics: {escape(topics)}")
    ]
    if not brief.items:
        parts.append(Text(brief.empty_reason or "Nothing new for your topics today.", "yellow"))
    for item in brief.items:
        parts.append(_item(item))
    return Group(*parts)


def _item(item: BriefItem) -> RenderableType:
    # A two-column grid gives the DESIGN.md hanging indent: wrapped lines stay under the text.
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row(Text(f"{item.rank}.", style="bold cyan"), Text(item.text, style="bold"))
    quote = distinct_quote(item.text, item.quote)  # offline the claim often is the quote
    if quote:
        quote = quote if len(quote) <= 240 else quote[:237] + "…"
        grid.add_row("", Text(f'"{quote}"', style="italic"))
    grid.add_row("", _attribution(item))
    if item.related:
        also = ", ".join(f"{r.podcast} ({format_timestamp(r.start)})" for r in item.related)
        grid.add_row("", Text(f"Also said on: {also}", style="green"))
    return grid


def _attribution(item: BriefItem) -> Text:
    """``— speaker · show · "episode" · ▶ 12:34``, the time linked to the moment when known."""
    who = " · ".join(p for p in (item.speaker, item.podcast, f'"{item.episode}"') if p)
    text = Text(f"— {who} · ", style="dim")
    text.append(f"▶ {format_timestamp(item.start)}", style=f"link {item.url}" if item.url else "")
    return text


def render_summary(view: SummaryView) -> RenderableType:
    """An episode summary: paragraph, key points with times, guests, topics."""
    parts: list[RenderableType] = [
        Text.from_markup(f"[bold]{escape(view.title)}[/] · {escape(view.podcast)}"),
        Text(view.summary),
    ]
    for point in view.key_points:
        parts.append(Text(f"  ▶ {format_timestamp(point['start'])}  {point['text']}"))
    if view.guests:
        parts.append(Text(f"Guests: {', '.join(view.guests)}", style="dim"))
    if view.topics:
        parts.append(Text(f"Topics: {', '.join(view.topics)}", style="dim"))
    return Group(*parts)


def print_brief(console: Console, brief: Brief) -> None:
    """Print ``brief`` in the DESIGN.md layout."""
    console.print(render_brief(brief))
