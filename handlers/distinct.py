"""What a renderer shows once: a quote that is not the claim again, each cited passage once.

Offline the insight text is usually its own quote, lightly edited ("So we moved" → "We moved"),
and retrieval can cite one passage twice. Every platform renderer goes through these two
functions so Slack, Discord and the console agree on what a reader sees.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from difflib import SequenceMatcher

from bot.answers import Answer, Citation

log = logging.getLogger(__name__)

# Share of the shorter text's words that must reappear, in order, in the longer one for the
# two to count as the same words (tolerates dropped fillers like "So", "But", "I think").
SAME_WORDS = 0.8
_MARKER = re.compile(r"\[(\d+)\]")


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def same_words(first: str, second: str) -> bool:
    """Whether two texts say the same words (one contains most of the other, in order)."""
    a, b = _words(first), _words(second)
    if not a or not b:
        return not a and not b
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return matched >= SAME_WORDS * min(len(a), len(b))


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
