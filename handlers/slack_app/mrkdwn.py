"""Making third-party text safe for Slack mrkdwn: no pings, no disguised links.

Slack parses ``<…>`` as mentions and links in mrkdwn and in a message's top-level ``text``;
escaping ``&``, ``<`` and ``>`` (Slack's documented escapes) turns ``<!channel>``,
``<@U123>`` and ``<https://evil|harmless>`` into plain visible text.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit, urlunsplit

from handlers.chat.untrusted import defuse_links

_PLAIN_MENTION = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
ELLIPSIS = "…"
MAX_URL = 1000  # longer links are shown as text, so a cut can never split one


def escape(text: str | None) -> str:
    """Untrusted text as inert mrkdwn: entities escaped, ``@channel`` defused, no controls, and
    no URL or bare domain Slack would turn into a live link."""
    text = _CONTROL.sub("", text or "")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # a word joiner keeps "@here" readable but never a broadcast, whatever parse mode is used
    text = _PLAIN_MENTION.sub(lambda m: "@\u2060" + m.group(1), text)
    return defuse_links(text, bare_domains=True)


def plain(text: str | None) -> str:
    """Untrusted text for ``plain_text`` objects (not parsed for mentions; controls removed)."""
    return _CONTROL.sub("", text or "")


def truncate(text: str, limit: int) -> str:
    """At most ``limit`` characters, ending in "…" when cut (never inside an ``&…;`` entity)."""
    if len(text) <= limit:
        return text
    cut = _PARTIAL_ENTITY.sub("", text[: limit - 1])
    return cut.rstrip() + ELLIPSIS


def safe_url(url: str | None) -> str | None:
    """An http(s) URL made safe inside ``<url|label>``, or None when it is anything else."""
    if not url or len(url) > MAX_URL:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    # re-quote every part so "|", ">", "<", spaces and quotes cannot break out of the link
    safe = "/:@!$&'()*+,;=%-._~"
    rebuilt = urlunsplit(
        (
            parts.scheme.lower(),
            quote(parts.netloc, safe=safe + "[]"),
            quote(parts.path, safe=safe),
            quote(parts.query, safe=safe + "?/"),
            quote(parts.fragment, safe=safe + "?/"),
        )
    )
    return rebuilt.replace("&", "&amp;")


def link(url: str | None, label: str, *, limit: int = 500) -> str:
    """``<url|label>`` with an escaped label, or just the escaped label when the URL is unsafe."""
    text = truncate(escape(label), limit)
    target = safe_url(url)
    return f"<{target}|{text}>" if target else text
