"""Plain-text transcripts: ``HH:MM:SS`` or ``[MM:SS]`` line prefixes, Otter/Rev-style speaker
headers (``Ann Lee  0:05`` or ``Ann Lee (00:01:02):`` on a line of their own), or no times at all.
"""

from __future__ import annotations

import re

from bot.core.values import Segment
from bot.transcripts.segments import fill_ends, tidy
from bot.transcripts.speaker import clean_speaker, split_speaker
from bot.transcripts.timecode import parse_timecode

_TIME = r"\d{1,3}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
# "00:00:08 Today's guest…", "[12:31] Ann: …", "(1:02:03) …", or a time alone on its line
_PREFIX_RE = re.compile(rf"^\s*[\[(]?(?P<time>{_TIME})[\])]?(?:\s+|$)")
# "Speaker 1  0:05", "Ann Lee (00:01:02):", "Ann Lee: [00:01:02]" alone on a line
_NAME = r"[A-Z][\w.'’-]*(?: [A-Z0-9][\w.'’-]*){0,3}"
_HEADER_RE = re.compile(rf"^\s*(?P<name>{_NAME}):?\s+[\[(]?(?P<time>{_TIME})[\])]?:?\s*$")


def parse_text(text: str) -> list[Segment]:
    """Segments from plain text: a timestamp or speaker starts a segment, other lines continue it.

    Without any timestamps each paragraph (blank-line separated) is one segment at time 0.
    """
    segments: list[Segment] = []
    time = 0.0
    speaker: str | None = None
    fresh = True  # the next text line starts a new segment
    for line in text.splitlines():
        header = _HEADER_RE.match(line)
        if header and (seconds := parse_timecode(header["time"])) is not None:
            speaker, time, fresh = clean_speaker(header["name"]), seconds, True
            continue
        prefix = _PREFIX_RE.match(line)
        if prefix and (seconds := parse_timecode(prefix["time"])) is not None:
            time, fresh, line = seconds, True, line[prefix.end() :]
        named, body = split_speaker(line.strip())
        if named:
            speaker, fresh = named, True
        if not body:
            fresh = True
        elif fresh or not segments:
            segments.append(Segment(time, time, speaker, body))
            fresh = False
        else:
            last = segments[-1]
            segments[-1] = Segment(last.start, last.end, last.speaker, f"{last.text} {body}")
    return tidy(fill_ends(segments))
