"""Briefs, answers and replies as Discord embeds, always within Discord's limits."""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.core.moments import moment_label, short_time
from bot.core.values import Answer, Brief, BriefItem
from handlers.chat.distinct import distinct_citations, distinct_quote
from handlers.chat.replies import Reply
from handlers.discord_bot import limits
from handlers.discord_bot.buttons import brief_view
from handlers.discord_bot.text import link, safe, safe_url

log = logging.getLogger(__name__)

BRAND = discord.Colour.from_rgb(88, 101, 242)
ERROR = discord.Colour.red()


def no_mentions() -> discord.AllowedMentions:
    """Passed on every send: a hostile podcast can never ping anyone."""
    return discord.AllowedMentions.none()


def render_brief(brief: Brief) -> list[discord.Embed]:
    """A header embed and one embed per item, clipped to fit one message."""
    header = discord.Embed(
        title=f"Your podcast brief · {brief.date:%a} {brief.date.day} {brief.date:%b}",
        description=_topics_line(brief),
        colour=BRAND,
    )
    if not brief.items:
        header.description = safe(brief.empty_reason or "Nothing new for your topics today.")
        return limits.fit_message([header])
    return limits.fit_message([header, *(_item_embed(item) for item in brief.items)])


def brief_payload(brief: Brief) -> dict[str, Any]:
    """A JSON-ready message body (embeds, buttons, no mentions) for HTTP-API publishers."""
    body: dict[str, Any] = {
        "embeds": [embed.to_dict() for embed in render_brief(brief)],
        "allowed_mentions": no_mentions().to_dict(),
    }
    if brief.items:
        body["components"] = brief_view(brief).to_components()
    return body


def render_answer(answer: Answer, *, title: str | None = None) -> list[discord.Embed]:
    """An answer with its citations as timestamped links."""
    answer = distinct_citations(answer)
    embed = discord.Embed(title=safe(title or "Answer"), description=safe(answer.answer))
    embed.colour = BRAND
    for number, citation in enumerate(answer.citations[: limits.FIELDS], start=1):
        where = f"{citation.podcast} — {citation.episode}"
        embed.add_field(
            name=f"[{number}] {safe(where)}",
            value=f"{_play(citation.start, citation.url)} {_quoted(citation.text)}",
            inline=False,
        )
    return limits.fit_message([embed])


def render_reply(reply: Reply) -> dict[str, Any]:
    """Keyword arguments for ``send``: content, embeds, allowed_mentions, and view when any."""
    if reply.brief is not None:
        embeds = render_brief(reply.brief)
        view = brief_view(reply.brief) if reply.brief.items else None
        return _message(reply.title, embeds, view)
    if reply.answer is not None:
        return _message(None, render_answer(reply.answer, title=reply.title), None)
    embed = discord.Embed(
        title=safe(reply.title) or None,
        description="\n".join(_line(line.text, line.url, line.label) for line in reply.lines),
        colour=ERROR if reply.error else BRAND,
    )
    if not embed.title and not embed.description:
        embed.description = "Done."
    return _message(None, limits.fit_message([embed]), None)


def _message(content: str | None, embeds: list[discord.Embed], view: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "content": limits.clip(safe(content), limits.CONTENT) if content else None,
        "embeds": embeds,
        "allowed_mentions": no_mentions(),
    }
    if view is not None:
        kwargs["view"] = view  # discord.py rejects view=None on webhook sends
    return kwargs


def _item_embed(item: BriefItem) -> discord.Embed:
    embed = discord.Embed(
        title=f"{item.rank}. {safe(item.text)}",
        url=safe_url(item.url),
        description=_item_body(item),
        colour=BRAND,
    )
    if item.related:
        embed.add_field(name="Also said on", value=_related_value(item), inline=False)
    if item.topics:
        embed.set_footer(text="Topics: " + ", ".join(item.topics))
    return embed


def _related_value(item: BriefItem) -> str:
    """Each related sentence with its show (moment), episode and stance, as many as fit."""
    lines: list[str] = []
    room = limits.FIELD_VALUE
    for r in item.related:
        stance = r.stance
        line = f"{safe(r.podcast)} ({link(short_time(r.start), r.url)})"
        line += f" · “{limits.clip(safe(r.episode), 60)}”" + (
            f" · *{safe(stance)}*" if stance else ""
        )
        line += f"\n> {limits.clip(safe(r.text), 220)}"
        if len(line) + 1 > room:
            break
        lines.append(line)
        room -= len(line) + 1
    return "\n".join(lines) or limits.clip(safe(item.related[0].podcast), limits.FIELD_VALUE)


def _item_body(item: BriefItem) -> str:
    who = " · ".join(
        part
        for part in (
            safe(item.speaker),
            safe(item.podcast),
            f"“{safe(item.episode)}”" if item.episode else "",
            _play(item.start, item.url),
        )
        if part
    )
    # The claim is repeated in the body because titles are clipped at 256 characters.
    body = safe(item.text) if len(item.text) > limits.TITLE - 8 else ""
    quote = _quoted(distinct_quote(item.text, item.quote) or "")
    return "\n".join(part for part in (body, quote, f"— {who}") if part)


def _play(start: float, url: str) -> str:
    return link(moment_label(start), url)


def _quoted(text: str) -> str:
    return f"> “{safe(text)}”" if text else ""


def _topics_line(brief: Brief) -> str:
    return "Topics: " + ", ".join(safe(t) for t in brief.topics) if brief.topics else ""


def _line(text: str, url: str | None, label: str | None) -> str:
    if url:
        return link(label or text, url) if label is None else f"{safe(text)} {link(label, url)}"
    return safe(text)
