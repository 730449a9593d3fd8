"""Render neutral replies (Reply, Brief, Answer) for the terminal with rich.

Third-party text is only ever put into ``rich.text.Text`` (never parsed as markup) and
stripped of control characters, so a podcast title can neither restyle nor hijack the terminal.
"""

from __future__ import annotations

import logging
import re

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from bot.core.moments import moment_label, point_mark, short_time
from bot.core.values import Answer, Brief, BriefItem
from bot.insights.summaries import SummaryView
from handlers.chat.distinct import distinct_citations, distinct_quote
from handlers.chat.replies import Line, Reply, format_day

log = logging.getLogger(__name__)

MAX_QUOTE = 240  # characters; a longer quote is cut with …
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str | None) -> str:
    """Untrusted text without terminal control characters (ANSI escapes, bells, …)."""
    return _CONTROL.sub("", text or "")


def _link(label: str, url: str | None) -> Text:
    """A clickable label with the URL shown too (so it can be copied from any terminal)."""
    text = Text(clean(label), style="cyan")
    if _is_web(url):
        text.stylize(f"link {clean(url)}")
        text.append(f" ({clean(url)})", style="dim")
    return text


def _is_web(url: str | None) -> bool:
    return bool(url) and url.lower().startswith(("http://", "https://"))


def render_line(line: Line) -> Text:
    """One reply line; a URL is linked from its label (or its text when it has no label)."""
    if line.url and line.label:
        return Text.assemble(Text(clean(line.text)), " ", _link(line.label, line.url))
    if line.url:
        return _link(line.text, line.url)
    return Text(clean(line.text))


def render_brief(brief: Brief, *, show_ids: bool = False) -> RenderableType:
    """The brief layout of DESIGN.md: claim, quote, who · show · episode · ▶ time, also said on.

    ``show_ids`` (console chat) adds each item's episode and insight ids, for follow-up commands,
    and prints each moment's link beside it so it can be copied from any terminal.
    """
    topics = ", ".join(clean(t) for t in brief.topics) or "no topics"
    heading = f"Your podcast brief · {format_day(brief.date)} · topics: {topics}"
    parts: list[RenderableType] = [Text(heading, style="bold")]
    if not brief.items:
        empty = brief.empty_reason or "Nothing new for your topics today."
        parts.append(Text(clean(empty), style="yellow"))
    parts += [_brief_item(item, show_ids) for item in brief.items]
    return Group(*parts)


def _brief_item(item: BriefItem, show_ids: bool) -> RenderableType:
    # A two-column grid gives the DESIGN.md hanging indent: wrapped lines stay under the text.
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row(Text(f"{item.rank}.", style="bold cyan"), Text(clean(item.text), style="bold"))
    quote = distinct_quote(item.text, item.quote)  # offline the claim often is the quote
    if quote:
        quote = quote if len(quote) <= MAX_QUOTE else quote[: MAX_QUOTE - 3] + "…"
        grid.add_row("", Text(f'"{clean(quote)}"', style="italic"))
    grid.add_row("", _attribution(item, show_ids))
    if item.related:
        grid.add_row("", Text("Also said on:", style="green"))
        for r in item.related:
            stance = r.stance
            said = r.text if len(r.text) <= MAX_QUOTE else r.text[: MAX_QUOTE - 3] + "…"
            where = f'{clean(r.podcast)} ({short_time(r.start)}) · "{clean(r.episode)}"'
            label = f" · {clean(stance)}" if stance else ""
            grid.add_row("", Text(f'  {where}{label}: "{clean(said)}"', style="green"))
    return grid


def _attribution(item: BriefItem, show_ids: bool) -> Text:
    """``— speaker · show · "episode" · ▶ 12:34``, the time linked to the moment when known."""
    parts = (clean(item.speaker), clean(item.podcast), f'"{clean(item.episode)}"')
    text = Text(f"— {' · '.join(p for p in parts if p)} · ", style="dim")
    moment = moment_label(item.start)
    if not show_ids:
        text.append(moment, style=f"link {clean(item.url)}" if _is_web(item.url) else "")
        return text
    text.append_text(_link(moment, item.url))
    text.append(f"  [episode #{item.episode_id}, insight #{item.insight_id}]", style="dim")
    return text


def render_summary(view: SummaryView) -> RenderableType:
    """An episode summary: paragraph, key points with times, guests, topics."""
    parts: list[RenderableType] = [
        Text.assemble((clean(view.title), "bold"), f" · {clean(view.podcast)}"),
        Text(clean(view.summary)),
    ]
    for point in view.key_points:
        parts.append(Text(f"  {point_mark(point['start'])}  {clean(point['text'])}"))
    if view.guests:
        parts.append(Text(f"Guests: {', '.join(map(clean, view.guests))}", style="dim"))
    if view.topics:
        parts.append(Text(f"Topics: {', '.join(map(clean, view.topics))}", style="dim"))
    return Group(*parts)


def print_brief(console: Console, brief: Brief) -> None:
    """Print ``brief`` in the DESIGN.md layout."""
    console.print(render_brief(brief))


def render_answer(answer: Answer) -> RenderableType:
    """The answer text, then numbered citations linking to their moments."""
    answer = distinct_citations(answer)
    parts: list[RenderableType] = [Text(clean(answer.answer))]
    for number, citation in enumerate(answer.citations, start=1):
        label = moment_label(citation.start)
        line = Text(f"[{number}] {clean(citation.podcast)} · “{clean(citation.episode)}” ")
        parts.append(Text.assemble(line, _link(label, citation.url)))
    return Group(*parts)


def render_reply(reply: Reply) -> RenderableType:
    """Everything in a reply, in order: title, brief, answer, lines."""
    parts: list[RenderableType] = []
    if reply.title:
        parts.append(Text(clean(reply.title), style="bold red" if reply.error else "bold"))
    if reply.brief is not None:
        parts.append(render_brief(reply.brief, show_ids=True))
    if reply.answer is not None:
        parts.append(render_answer(reply.answer))
    style = "red" if reply.error else ""
    parts += [Text.assemble(render_line(line), style=style) for line in reply.lines]
    return Group(*parts)


def print_reply(console: Console, reply: Reply) -> None:
    """Print a reply followed by a blank line."""
    console.print(render_reply(reply))
    console.print()
