"""Third-party text made safe for Discord: no pings, no smuggled links, timestamps as mm:ss."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import discord

MAX_UNTRUSTED = 4096  # no single embed part holds more; longer text is cut before escaping


def safe(text: str | None, limit: int = MAX_UNTRUSTED) -> str:
    """Untrusted text (titles, quotes, answers) with mentions and markdown neutralised."""
    if not text:
        return ""
    if len(text) > limit:
        # Escaping is slow on huge strings (its regex looks ahead) and it only ever grows text.
        text = text[:limit] + "…"
    return discord.utils.escape_markdown(discord.utils.escape_mentions(text))


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL, else None (no javascript:, no relative)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    # Percent-encode what would end or break a markdown link target.
    return quote(url.strip(), safe=":/?#[]@!$&'*+,;=%~-._")


def link(label: str, url: str | None) -> str:
    """A markdown link whose label is escaped; just the label when the URL is unsafe."""
    target = safe_url(url)
    label = safe(label).replace("[", "\\[").replace("]", "\\]")
    return f"[{label}]({target})" if target else label
