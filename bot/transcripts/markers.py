"""Time markers written into transcript text: ``\\[12:31\\]``, ``\\[01:02:55.13\\]``, ``[12:31]``.

Changelog's Markdown (and the HTML pages made from it) mark times inline rather than per cue.
"""

from __future__ import annotations

import re

from bot.transcripts.timecode import parse_timecode

_TIME = r"\d{1,3}:\d{2}(?::\d{2})?(?:\.\d{1,3})?"


def _marker(group: str) -> str:
    r"""One time marker: "\[12:31\]", "\[01:02:55.13\]", "[12:31]", even "\[\\00:18:51.08\]"."""
    return rf"\\?\[(?:\\\\)?(?P<{group}>{_TIME})\\?\]"


# a range ("\[18:04\] to \[18:51\]", a break or a jingle) counts as its end: speech resumes there
_MARKER_RE = re.compile(rf"(?:{_marker('since')}\s+to\s+)?{_marker('time')}\s*")
# a transcriber's note carries the time it refers to, "\[unintelligible 00:12:04.12\]"
_NOTE_TIME_RE = re.compile(r"(?<=[a-z]) \d{1,2}:\d{2}:\d{2}(?:\.\d{1,3})?(?=\\?\])")


def timed_pieces(paragraph: str, time: float | None) -> list[tuple[float | None, str]]:
    """The paragraph cut at its time markers, each piece with the time it starts at.

    Times never go back: a marker earlier than ``time`` (a typo) keeps the later time.
    """
    pieces: list[tuple[float | None, str]] = []
    last = 0
    for marker in _MARKER_RE.finditer(paragraph):
        pieces.append((time, paragraph[last : marker.start()]))
        if (seconds := parse_timecode(marker["time"])) is not None:
            time = seconds if time is None else max(time, seconds)
        last = marker.end()
    pieces.append((time, paragraph[last:]))
    return pieces


def without_note_times(text: str) -> str:
    """``[unintelligible 00:12:04.12]`` → ``[unintelligible]``: the time is not speech."""
    return _NOTE_TIME_RE.sub("", text)
