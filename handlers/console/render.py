"""Render neutral replies (Reply, Brief, Answer) for the terminal with rich.

Third-party text is only ever put into ``rich.text.Text`` (never parsed as markup) and
stripped of control characters, so a podcast title can neither restyle nor hijack the terminal.
"""

from __future__ import annotations

import logging
import re

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bot.core.moments import format_timestamp
from bot.core.values import Answer, Brief, BriefItem
from handlers.chat.distinct import distinct_citations, distinct_quote
from handlers.chat.replies import Line, Reply, format_day

log = logging.getLogger(__name__)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str | None) -> str:
    """Untrusted text without terminal control characters (ANSI escapes, bells, …)."""
    return _CONTROL.sub("", text or "")


def _link(label: str, url: str | None) -> Text:
    """A clickable label with the URL shown too (so it can be copied from any terminal)."""
    text = Text(clean(label), style="cyan")
    if url and url.lower().startswith(("http://", "https://")):
        text.stylize(f"link {clean(url)}")
        text.append(f" ({clean(url)})", style="dim")
    return text


def render_line(line: Line) -> Text:
    """One reply line; a URL is linked from its label (or its text when it has no label)."""
    if line.url and line.label:
        return Text.assemble(Text(clean(line.text)), " ", _link(line.label, line.url))
    if line.url:
        return _link(line.text, line.url)
    return Text(clean(line.text))


def render_brief(brief: Brief) -> RenderableType:
    """The brief as a titled panel, one block per item."""
    title = f"Your podcast brief · {format_day(brief.date)}"
    if brief.topics:
        title += " · topics: " + ", ".join(clean(t) for t in brief.topics)
    if not brief.items:
        body: RenderableType = Text(clean(brief.empty_reason or "Nothing new today."))
    else:
        body = Group(*[_brief_item(item) for item in brief.items])
    return Panel(body, title=Text(title, style="bold"), title_align="left")


def _brief_item(item: BriefItem) -> RenderableType:
    # Rank in its own column so wrapped lines hang under the text, as in DESIGN.md.
    body = Text(clean(item.text) + "\n")
    quote = distinct_quote(item.text, item.quote)
    if quote:
        body.append(f"“{clean(quote)}”\n", style="italic")
    who = f"{clean(item.speaker)} · " if item.speaker else ""
    body.append(f"— {who}{clean(item.podcast)} · “{clean(item.episode)}” · ")
    body.append_text(_link(f"▶ {format_timestamp(item.start)}", item.url))
    body.append(f"  [episode #{item.episode_id}, insight #{item.insight_id}]\n", style="dim")
    if item.related:
        also = ", ".join(f"{clean(r.podcast)} ({format_timestamp(r.start)})" for r in item.related)
        body.append(f"Also said on: {also}\n", style="dim")
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row(Text(f"{item.rank}.", style="bold"), body)
    return grid


def render_answer(answer: Answer) -> RenderableType:
    """The answer text, then numbered citations linking to their moments."""
    answer = distinct_citations(answer)
    parts: list[RenderableType] = [Text(clean(answer.answer))]
    for number, citation in enumerate(answer.citations, start=1):
        label = f"▶ {format_timestamp(citation.start)}"
        line = Text(f"[{number}] {clean(citation.podcast)} · “{clean(citation.episode)}” ")
        parts.append(Text.assemble(line, _link(label, citation.url)))
    return Group(*parts)


def render_reply(reply: Reply) -> RenderableType:
    """Everything in a reply, in order: title, brief, answer, lines."""
    parts: list[RenderableType] = []
    if reply.title:
        parts.append(Text(clean(reply.title), style="bold red" if reply.error else "bold"))
    if reply.brief is not None:
        parts.append(render_brief(reply.brief))
    if reply.answer is not None:
        parts.append(render_answer(reply.answer))
    style = "red" if reply.error else ""
    parts += [Text.assemble(render_line(line), style=style) for line in reply.lines]
    return Group(*parts)


def print_reply(console: Console, reply: Reply) -> None:
    """Print a reply followed by a blank line."""
    console.print(render_reply(reply))
    console.print()
