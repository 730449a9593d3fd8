"""Speaker labels written inline: ``Travis:``, ``Leo Dion (host):``, ``Speaker 1:``."""

from __future__ import annotations

import re

# One to four capitalised words (or "SPEAKER_1"), an optional "(role)", then a colon. Narrow on
# purpose: "So: here's the thing" must stay text, and a URL's "https:" is not a speaker.
_LABEL_RE = re.compile(
    r"^(?P<name>[A-Z][\w.'’\-]*(?: [A-Z0-9][\w.'’\-]*){0,3}(?: \([^)\n]{1,30}\))?):\s+(?=\S)"
)
_NOT_NAMES = frozenset({"Note", "Update", "Edit", "Warning", "Question", "Answer", "Http", "Https"})


def split_speaker(text: str) -> tuple[str | None, str]:
    """``("Travis", "rest")`` when ``text`` opens with a speaker label, else ``(None, text)``."""
    match = _LABEL_RE.match(text)
    if not match or match["name"] in _NOT_NAMES:
        return None, text
    return clean_speaker(match["name"]), text[match.end() :]


def clean_speaker(name: str | None) -> str | None:
    """A label without its trailing colon and surrounding space; None when empty."""
    if name is None:
        return None
    name = " ".join(name.split()).rstrip(":").strip()
    return name or None
