"""Plain-text transcripts, with or without ``HH:MM:SS`` (or ``[MM:SS]``) line prefixes."""

from __future__ import annotations

import re

from bot.transcripts import Segment
from bot.transcripts.segments import fill_ends, tidy
from bot.transcripts.speaker import split_speaker
from bot.transcripts.timecode import parse_timecode

# "00:00:08 Today's guest…", "[12:31] Ann: …", "(1:02:03) …", or a time alone on its line
_PREFIX_RE = re.compile(
    r"^\s*[\[(]?(?P<time>\d{1,3}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)[\])]?(?:\s+|$)"
)


def parse_text(text: str) -> list[Segment]:
    """Segments from plain text: a timestamped line starts a segment, others continue it.

    Without any timestamps each paragraph (blank-line separated) is one segment at time 0.
    """
    segments: list[Segment] = []
    time: float | None = None
    speaker: str | None = None
    fresh = True  # the next text line starts a new segment
    for line in text.splitlines():
        match = _PREFIX_RE.match(line)
        if match and (seconds := parse_timecode(match["time"])) is not None:
            time, fresh, line = seconds, True, line[match.end() :]
        if not line.strip():
            fresh = fresh or match is None
            continue
        named, body = split_speaker(line.strip())
        if named:
            speaker, fresh = named, True
        if fresh or not segments:
            segments.append(Segment(time or 0.0, time or 0.0, speaker, body))
        else:
            last = segments[-1]
            segments[-1] = Segment(last.start, last.end, last.speaker, f"{last.text} {body}")
        fresh = False
    return tidy(fill_ends(segments))
