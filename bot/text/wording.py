"""Whether two texts say the same words: an edited claim and its quote, two cited passages."""

from __future__ import annotations

import logging
import re
from difflib import SequenceMatcher

log = logging.getLogger(__name__)

# Share of the shorter text's words that must reappear, in order, in the longer one for the
# two to count as the same words (tolerates dropped fillers like "So", "But", "I think").
SAME_WORDS = 0.8
# Only the opening words are compared: matching is quadratic, and an item or quote that long is
# already far past anything a renderer shows (a 3,000-word item took 3 s per comparison).
MAX_COMPARED_WORDS = 200


def words(text: str) -> list[str]:
    """The case-folded words of ``text``, punctuation dropped."""
    return re.findall(r"\w+", text.casefold())


def same_words(first: str, second: str) -> bool:
    """Whether two texts say the same words (one holds most of the other, in order)."""
    a, b = words(first)[:MAX_COMPARED_WORDS], words(second)[:MAX_COMPARED_WORDS]
    if not a or not b:
        return not a and not b
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return matched >= SAME_WORDS * min(len(a), len(b))
