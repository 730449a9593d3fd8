"""Markdown transcripts in the Changelog style: ``**Speaker:**`` labels, ``\\[MM:SS\\]`` markers.

Minutes run past 60 without an hour field (``\\[112:31\\]``); unlabelled paragraphs continue the
last speaker, and untimed ones take the last time seen.
"""

from __future__ import annotations

import re

from bot.core.values import Segment
from bot.transcripts.segments import fill_ends, tidy
from bot.transcripts.speaker import clean_speaker
from bot.transcripts.timecode import parse_timecode

_LABEL_RE = re.compile(r"^\s*\*\*(?P<name>[^*\n]{1,60}?):?\*\*:?\s*")
_MARKER_RE = re.compile(r"\\?\[(?P<time>\d{1,3}:\d{2}(?::\d{2})?)\\?\]\s*")
_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|~])")
_EMPHASIS_RE = re.compile(r"(\*\*|\*|__)(?=\S)(.+?)(?<=\S)\1")
_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s")


def parse_markdown(text: str) -> list[Segment]:
    """Segments from a Markdown transcript, one per paragraph."""
    segments: list[Segment] = []
    speaker: str | None = None
    time = 0.0
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = " ".join(paragraph.split())
        if not paragraph or _HEADING_RE.match(paragraph):
            continue
        label = _LABEL_RE.match(paragraph)
        if label:
            speaker, paragraph = clean_speaker(label["name"]), paragraph[label.end() :]
        marker = _MARKER_RE.search(paragraph)
        if marker and (seconds := parse_timecode(marker["time"])) is not None:
            time = max(time, seconds)
        body = _EMPHASIS_RE.sub(r"\2", _MARKER_RE.sub("", paragraph))
        segments.append(Segment(time, time, speaker, _ESCAPE_RE.sub(r"\1", body)))
    return tidy(fill_ends(segments))
