"""Discord's embed limits, enforced by clipping with an ellipsis, never a failed send."""

from __future__ import annotations

import logging

import discord

log = logging.getLogger(__name__)

TITLE = 256
DESCRIPTION = 4096
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR = 256
FIELDS = 25
EMBEDS_PER_MESSAGE = 10
TOTAL_PER_MESSAGE = 6000
CONTENT = 2000
URL = 2048  # embed url, author url: Discord refuses the message over this, on every retry
ELLIPSIS = "…"


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in an ellipsis when cut."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return ELLIPSIS[:limit]
    return text[: limit - 1].rstrip() + ELLIPSIS


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """Clip every part of one embed to Discord's per-part limits (an over-long URL is dropped:
    a cut one would lead nowhere)."""
    if embed.url and len(embed.url) > URL:
        embed.url = None
    if embed.title:
        embed.title = clip(embed.title, TITLE)
    if embed.description:
        embed.description = clip(embed.description, DESCRIPTION)
    fields = embed.fields[:FIELDS]
    embed.clear_fields()
    for field in fields:
        embed.add_field(
            name=clip(field.name or "\u200b", FIELD_NAME),
            value=clip(field.value or "\u200b", FIELD_VALUE),
            inline=bool(field.inline),
        )
    if embed.footer.text:
        embed.set_footer(text=clip(embed.footer.text, FOOTER), icon_url=embed.footer.icon_url)
    if embed.author.name:
        author = embed.author
        url = author.url if author.url and len(author.url) <= URL else None
        embed.set_author(name=clip(author.name, AUTHOR), url=url, icon_url=author.icon_url)
    return embed


def fit_message(embeds: list[discord.Embed]) -> list[discord.Embed]:
    """At most 10 embeds within 6,000 characters in total: the longest texts give way first."""
    if len(embeds) > EMBEDS_PER_MESSAGE:
        log.info("dropping %d embeds over the per-message limit", len(embeds) - EMBEDS_PER_MESSAGE)
    kept = [fit_embed(embed) for embed in embeds[:EMBEDS_PER_MESSAGE]]
    excess = sum(len(embed) for embed in kept) - TOTAL_PER_MESSAGE
    while excess > 0:
        embed, part, text = _longest_part(kept)
        new_length = max(len(text) - excess, 1)
        if new_length >= len(text):
            break  # unreachable: 10 embeds of one-character parts are far below the limit
        _set_part(embed, part, clip(text, new_length))
        excess -= len(text) - new_length
    return kept


Part = tuple[str, int]  # ("title" | "description" | "footer" | "author" | "name" | "value", index)


def _parts(embed: discord.Embed) -> list[tuple[Part, str]]:
    parts: list[tuple[Part, str]] = [
        (("title", 0), embed.title or ""),
        (("description", 0), embed.description or ""),
        (("footer", 0), embed.footer.text or ""),
        (("author", 0), embed.author.name or ""),
    ]
    for index, field in enumerate(embed.fields):
        parts += [(("name", index), field.name or ""), (("value", index), field.value or "")]
    return parts


def _longest_part(embeds: list[discord.Embed]) -> tuple[discord.Embed, Part, str]:
    candidates = [(embed, part, text) for embed in embeds for part, text in _parts(embed)]
    return max(candidates, key=lambda candidate: len(candidate[2]))


def _set_part(embed: discord.Embed, part: Part, text: str) -> None:
    kind, index = part
    if kind in ("title", "description"):
        setattr(embed, kind, text)
    elif kind == "footer":
        embed.set_footer(text=text, icon_url=embed.footer.icon_url)
    elif kind == "author":
        embed.set_author(name=text, url=embed.author.url, icon_url=embed.author.icon_url)
    else:
        field = embed.fields[index]
        name, value = (text, field.value) if kind == "name" else (field.name, text)
        embed.set_field_at(index, name=name or "", value=value or "", inline=bool(field.inline))
