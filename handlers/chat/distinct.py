"""What a renderer shows once: a quote that is not the claim again, each cited passage once.

Offline the insight text is usually its own quote, lightly edited ("So we moved" → "We moved"),
and retrieval can cite one passage twice. Every platform renderer goes through these two
functions so Slack, Discord and the console agree on what a reader sees.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from bot.core.values import Answer, Citation
from bot.text.wording import same_words

log = logging.getLogger(__name__)

_MARKER = re.compile(r"\[(\d+)\]")


def distinct_quote(text: str, quote: str | None) -> str | None:
    """The quote, unless it merely repeats the insight (extractive insights often are the quote)."""
    if not quote or same_words(text, quote):
        return None
    return quote


def distinct_citations(answer: Answer) -> Answer:
    """The answer citing each passage once, its ``[n]`` markers renumbered to match."""
    kept: list[Citation] = []
    number_of: dict[int, int] = {}
    for old, citation in enumerate(answer.citations, start=1):
        twin = next((i for i, c in enumerate(kept) if _same_passage(c, citation)), None)
        if twin is None:
            kept.append(citation)
            twin = len(kept) - 1
        number_of[old] = twin + 1
    if len(kept) == len(answer.citations):
        return answer
    text = _MARKER.sub(lambda m: _renumbered(m, number_of), answer.answer)
    # "[1] … [1]" after merging reads as a stutter: keep one marker per run.
    text = re.sub(r"(\[\d+\])(\s*\1)+", r"\1", text)
    return replace(answer, answer=text, citations=kept)


def _same_passage(a: Citation, b: Citation) -> bool:
    if a.episode_id != b.episode_id:
        return False
    return abs(a.start - b.start) < 1.0 or same_words(a.text, b.text)


def _renumbered(match: re.Match[str], number_of: dict[int, int]) -> str:
    old = int(match.group(1))
    return f"[{number_of[old]}]" if old in number_of else match.group(0)
