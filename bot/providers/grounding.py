"""Find a model's "verbatim" quote in the transcript, forgiving case, spacing and punctuation."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.values import Segment

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
# A quote must carry at least this many words to prove anything.
MIN_QUOTE_WORDS = 4
# Spoken fillers models tidy away when quoting; ignored on both sides.
_FILLERS = frozenset({"um", "uh", "er", "erm", "ah", "mm", "hmm"})


def normalise(text: str) -> str:
    """Lower case, accents folded, punctuation and fillers dropped, whitespace collapsed."""
    folded = unicodedata.normalize("NFKD", text.replace("’", "").replace("'", ""))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    words = _NON_WORD.sub(" ", folded.lower()).split()
    return " ".join(w for w in words if w not in _FILLERS)


@dataclass(frozen=True)
class QuoteMatch:
    """Where a quote sits: who said it and when."""

    start: float
    end: float
    speaker: str | None


class TranscriptIndex:
    """The transcript normalised once, so each quote lookup is a substring search."""

    def __init__(self, segments: Sequence[Segment]) -> None:
        self.segments = list(segments)
        parts, self._offsets = [], []
        position = 0
        for segment in self.segments:
            norm = normalise(segment.text)
            self._offsets.append(position)
            parts.append(norm)
            position += len(norm) + 1
        self.text = " ".join(parts)

    def locate(self, quote: str) -> QuoteMatch | None:
        """The match for ``quote``, or None when the transcript does not contain it."""
        needle = normalise(quote)
        if len(needle.split()) < MIN_QUOTE_WORDS:
            return None
        found = self._find_word_aligned(needle)
        if found < 0:
            return None
        first = bisect.bisect_right(self._offsets, found) - 1
        last = bisect.bisect_right(self._offsets, found + len(needle) - 1) - 1
        return QuoteMatch(
            start=self.segments[first].start,
            end=self.segments[last].end,
            speaker=self.segments[first].speaker,
        )

    def _find_word_aligned(self, needle: str) -> int:
        # Word-aligned so "open" never matches inside "reopened".
        padded = f" {self.text} "
        index = padded.find(f" {needle} ")
        return index  # index in padded == index in text of the match start
