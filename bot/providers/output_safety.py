"""Generated text is untrusted: no mass or user mentions, no links outside the citations.

Enforced in code, whatever a transcript told the model to do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Slack special mentions and user/group/channel references, Discord user/role/channel mentions,
# and the plain-text broadcast words both platforms expand.
_MENTION = re.compile(
    r"<!(?:channel|here|everyone)(?:\|[^>]*)?>"
    r"|<!subteam\^[^>]*>"
    r"|<[@#][!&]?[A-Z0-9]+(?:\|[^>]*)?>"
    r"|<@&?\d+>|<#\d+>"
    r"|@(?:everyone|here|channel)\b",
    re.IGNORECASE,
)
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"')\]]+", re.IGNORECASE)
_SLACK_LINK = re.compile(r"<(https?://[^|>]+)(?:\|([^>]*))?>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t]{2,}")


def strip_mentions(text: str) -> str:
    """Remove @channel/@here/@everyone and user, role and channel mentions."""
    return _MENTION.sub("", text)


def strip_links(text: str, allowed: Iterable[str] = ()) -> str:
    """Remove URLs unless they are one of ``allowed`` (the citation URLs)."""
    allowed_set = {a.rstrip("/.,;") for a in allowed if a}
    text = _SLACK_LINK.sub(
        lambda m: m.group(1) if m.group(1) in allowed_set else (m.group(2) or ""), text
    )
    return _URL.sub(lambda m: m.group(0) if m.group(0).rstrip("/.,;") in allowed_set else "", text)


def safe_text(text: str, allowed_urls: Iterable[str] = ()) -> str:
    """Generated text with mentions and foreign links removed, spacing tidied."""
    cleaned = strip_links(strip_mentions(text), allowed_urls)
    return _SPACES.sub(" ", cleaned).strip()
