"""Third-party text made safe for Discord: no pings, no smuggled links, timestamps as mm:ss."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

import discord

from handlers.chat.untrusted import defuse_links

MAX_UNTRUSTED = 4096  # no single embed part holds more; longer text is cut before escaping
MAX_LINK_URL = 1000  # a longer link target is dropped (the label stays), so clipping never cuts one
MAX_EMBED_URL = 2048  # Discord refuses the whole message over this
# "[" or "]" not already escaped (preceded by an even run of backslashes, i.e. escaped ones)
_BARE_BRACKET = re.compile(r"(?<!\\)((?:\\\\)*)([\[\]])")


def safe(text: str | None, limit: int = MAX_UNTRUSTED) -> str:
    """Untrusted text (titles, quotes, answers) made inert: no pings, no markdown, no links.

    ``escape_markdown`` escapes only the first ``[label](url)`` of a string, so every bracket
    is escaped here; URLs and domains are defused so only podbrief's own links are live.
    """
    if not text:
        return ""
    if len(text) > limit:
        # Escaping is slow on huge strings (its regex looks ahead) and it only ever grows text.
        text = text[:limit] + "…"
    text = discord.utils.escape_markdown(discord.utils.escape_mentions(text))
    return defuse_links(_BARE_BRACKET.sub(r"\1\\\2", text), bare_domains=True)


def safe_url(url: str | None, limit: int = MAX_LINK_URL) -> str | None:
    """``url`` when it is an absolute http(s) URL within ``limit``, else None (no javascript:,
    no relative, nothing Discord would refuse or a clip could cut in half)."""
    if not url or len(url) > limit:
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
    label = safe(label)
    return f"[{label}]({target})" if target else label
