"""Time markers written into transcript text: ``\\[12:31\\]``, ``\\[01:02:55.13\\]``, ``[12:31]``.

Changelog's Markdown (and the HTML pages made from it) mark times inline rather than per cue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.transcripts.timecode import parse_timecode

_TIME = r"\d{1,3}:\d{2}(?::\d{2})?(?:\.\d{1,3})?"


def _marker(group: str) -> str:
    r"""One time marker: "\[12:31\]", "\[01:02:55.13\]", "[12:31]", even "\[\\00:18:51.08\]"."""
    return rf"\\?\[(?:\\\\)?(?P<{group}>{_TIME})\\?\]"


# a range ("\[18:04\] to \[18:51\]", a break or a jingle) counts as its end: speech resumes there
_MARKER_RE = re.compile(rf"(?:{_marker('since')}\s+to\s+)?{_marker('time')}\s*")
# a transcriber's note carries the time it refers to, "\[unintelligible 00:12:04.12\]"
_NOTE_TIME_RE = re.compile(r"(?<=[a-z]) \d{1,2}:\d{2}:\d{2}(?:\.\d{1,3})?(?=\\?\])")


@dataclass(frozen=True, slots=True)
class Marker:
    """A time written into the text: the words after it start at ``time``."""

    time: float
    since: float | None = None  # a range's start: the words before it stop there, not at ``time``


def marked_pieces(paragraph: str) -> list[tuple[Marker | None, str]]:
    """The paragraph cut at its time markers, each piece with the marker written before it.

    The first piece has none (it is empty when the paragraph opens with a marker).
    """
    pieces: list[tuple[Marker | None, str]] = []
    marker: Marker | None = None
    last = 0
    for match in _MARKER_RE.finditer(paragraph):
        pieces.append((marker, paragraph[last : match.start()]))
        marker, last = _read_marker(match), match.end()
    pieces.append((marker, paragraph[last:]))
    return pieces


def _read_marker(match: re.Match[str]) -> Marker | None:
    """The marker a match spells, or None when its time is no timecode (still cut there)."""
    time = parse_timecode(match["time"])
    if time is None:
        return None
    since = parse_timecode(match["since"]) if match["since"] else None
    return Marker(time, since if since is not None and since <= time else None)


def timed_pieces(paragraph: str, time: float | None) -> list[tuple[float | None, str]]:
    """The paragraph cut at its time markers, each piece with the last time seen before it.

    Times never go back: a marker earlier than ``time`` (a typo) keeps the later time.
    """
    pieces: list[tuple[float | None, str]] = []
    for marker, piece in marked_pieces(paragraph):
        if marker is not None:
            time = marker.time if time is None else max(time, marker.time)
        pieces.append((time, piece))
    return pieces


def without_note_times(text: str) -> str:
    """``[unintelligible 00:12:04.12]`` → ``[unintelligible]``: the time is not speech."""
    return _NOTE_TIME_RE.sub("", text)
