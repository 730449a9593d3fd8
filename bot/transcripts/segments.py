"""Building segments: words into sentences, and the final tidy-up every parser applies."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.values import Segment

_SENTENCE_END_RE = re.compile(r"[.?!…][\"'”’)\]]*$")
_PUNCT_ONLY_RE = re.compile(r"^[^\w\s]+$")
MAX_SENTENCE_WORDS = 60  # unpunctuated machine transcripts still get readable segments
MAX_SENTENCE_SECONDS = 30.0
MAX_GAP_SECONDS = 2.0


@dataclass(slots=True)
class Word:
    """One timed piece of text (a word or a phrase) from a word-level transcript."""

    start: float
    end: float
    speaker: str | None
    text: str


def join_words(pieces: list[str]) -> str:
    """Join word pieces; pieces that carry their own spacing (" ", ",") are concatenated."""
    spaced = any(p != p.strip() or not p.strip() for p in pieces)
    if spaced:
        return " ".join("".join(pieces).split())
    out: list[str] = []
    for piece in pieces:
        if out and _PUNCT_ONLY_RE.match(piece) and piece[0] not in "([“\"'":
            out[-1] += piece
        else:
            out.append(piece)
    return " ".join(out)


def merge_into_sentences(words: Iterable[Word]) -> list[Segment]:
    """Merge word- or phrase-level pieces into sentence segments, one speaker each."""
    segments: list[Segment] = []
    group: list[Word] = []
    for word in words:
        if group and _breaks_before(group, word):
            segments.append(_group_segment(group))
            group = []
        group.append(word)
        if _SENTENCE_END_RE.search(word.text.strip()):
            segments.append(_group_segment(group))
            group = []
    if group:
        segments.append(_group_segment(group))
    return segments


def _breaks_before(group: list[Word], word: Word) -> bool:
    last = group[-1]
    return (
        word.speaker != last.speaker
        or word.start - last.end > MAX_GAP_SECONDS
        or word.start - group[0].start > MAX_SENTENCE_SECONDS
        or len(group) >= MAX_SENTENCE_WORDS
    ) and bool(word.text.strip())


def _group_segment(group: list[Word]) -> Segment:
    return Segment(
        start=group[0].start,
        end=max(w.end for w in group),
        speaker=group[0].speaker,
        text=join_words([w.text for w in group]),
    )


def tidy(segments: Iterable[Segment]) -> list[Segment]:
    """Drop empty segments, collapse whitespace, and make starts non-decreasing, ends ≥ starts."""
    out: list[Segment] = []
    last_start = 0.0
    for seg in segments:
        text = " ".join(seg.text.split())
        if not text:
            continue
        start = max(seg.start, last_start)
        out.append(Segment(start, max(seg.end, start), seg.speaker, text))
        last_start = start
    return out


def fill_ends(segments: list[Segment]) -> list[Segment]:
    """Give untimed ends the next segment's start (formats that only mark starts)."""
    out: list[Segment] = []
    for index, seg in enumerate(segments):
        nxt = segments[index + 1] if index + 1 < len(segments) else None
        end = nxt.start if nxt is not None and nxt.start > seg.start else seg.start
        out.append(Segment(seg.start, max(seg.end, end), seg.speaker, seg.text))
    return out
