"""Times for text that is marked only every few minutes (Changelog's ``\\[12:31\\]``).

People talk at a fairly even pace, so words are spread evenly between two markers: a piece
starts at the earlier marker plus its share of the words up to the next one, times the gap.
A marker that ends its paragraph ("**Break:** \\[27:12\\]", a song, an outro) is a pause: speech
stops there and resumes unannounced, often minutes later, so the words after it are placed
back from the next marker at the episode's own rate (measured between its markers), never
before the pause. The file's start is such a pause at 0, and after the last marker words run
at that rate. A piece right after a marker starts exactly there. Without any marker
everything stays at 0 (untimed).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from itertools import pairwise

from bot.core.values import Segment
from bot.transcripts.markers import Marker

FALLBACK_WORDS_PER_SECOND = 2.6  # conversational speech, for a file with a single marker
# a rate outside this is a mistyped marker, not speech; it would fling the extrapolation off
_LIKELY_WORDS_PER_SECOND = (1.5, 4.5)


@dataclass(frozen=True, slots=True)
class Piece:
    """Text as the file has it, with the marker written just before it (if any)."""

    marker: Marker | None
    speaker: str | None
    text: str  # may be empty: a marker with no words after it ("**Break:** \\[18:04\\]")


@dataclass(frozen=True, slots=True)
class _Anchor:
    words: int  # how many words come before this point in the file
    time: float
    pause: bool = False  # speech stops here and resumes at a time nobody wrote down


def paced_segments(pieces: list[Piece]) -> list[Segment]:
    """One segment per piece with text, its start and end placed by the words around it."""
    anchors, spans = _anchors_and_spans(pieces)
    if not anchors:
        return [Segment(0.0, 0.0, piece.speaker, piece.text) for piece in pieces if piece.text]
    if anchors[0].words > 0:  # the recording starts before the words do, by an unknown intro
        anchors.insert(0, _Anchor(0, 0.0, pause=True))
    rate = _words_per_second(anchors)
    anchors = _resumed(anchors, rate)
    offsets = [anchor.words for anchor in anchors]

    def time_at(words: int) -> float:
        index = bisect_right(offsets, words)  # anchors at or before this word: [:index]
        before = anchors[index - 1]
        if index == len(anchors):
            return before.time + (words - before.words) / rate
        after = anchors[index]
        share = (words - before.words) / (after.words - before.words)
        return before.time + share * (after.time - before.time)

    return [
        Segment(time_at(first), time_at(first + count), piece.speaker, piece.text)
        for piece, first, count in spans
    ]


def _anchors_and_spans(
    pieces: list[Piece],
) -> tuple[list[_Anchor], list[tuple[Piece, int, int]]]:
    """The markers as word positions, and each piece with text as (piece, first word, count)."""
    anchors: list[_Anchor] = []
    spans: list[tuple[Piece, int, int]] = []
    words = 0
    latest = 0.0  # times never go back: a marker earlier than the last one is a typo
    for piece in pieces:
        if (marker := piece.marker) is not None:
            if marker.since is not None:  # a range: the words before it stop at its start
                latest = max(latest, marker.since)
                anchors.append(_Anchor(words, latest))
            latest = max(latest, marker.time)
            pause = not piece.text and marker.since is None
            anchors.append(_Anchor(words, latest, pause))
        if piece.text:
            count = len(piece.text.split())
            spans.append((piece, words, count))
            words += count
    return anchors, spans


def _words_per_second(anchors: list[_Anchor]) -> float:
    """The episode's speaking rate between its markers, pauses left out, within likely bounds."""
    spoken = [
        (after.words - before.words, after.time - before.time)
        for before, after in pairwise(anchors)
        if not before.pause and after.words > before.words
    ]
    words, seconds = sum(w for w, _ in spoken), sum(s for _, s in spoken)
    if words == 0 or seconds <= 0:
        return FALLBACK_WORDS_PER_SECOND
    low, high = _LIKELY_WORDS_PER_SECOND
    return min(high, max(low, words / seconds))


def _resumed(anchors: list[_Anchor], rate: float) -> list[_Anchor]:
    """The anchors with each pause followed by the time speech resumes: as late as the words
    up to the next marker allow at ``rate``, never before the pause (nor after that marker)."""
    out: list[_Anchor] = []
    for anchor, after in zip(anchors, [*anchors[1:], None], strict=True):
        out.append(anchor)
        if anchor.pause and after is not None:
            resume = after.time - (after.words - anchor.words) / rate
            out.append(_Anchor(anchor.words, max(anchor.time, resume)))
    return out
