"""Transcripts: parse every format into Segments; choose and fetch transcript sources."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Segment:
    """What was said, by whom, when (seconds from the start of the episode)."""

    start: float
    end: float
    speaker: str | None
    text: str


@dataclass(frozen=True, slots=True)
class ParsedTranscript:
    format: str  # vtt | srt | json | html | text | markdown | xml
    segments: list[Segment]


def parse_transcript(
    data: bytes, *, mime: str | None = None, filename: str | None = None
) -> ParsedTranscript:
    """Parse transcript bytes, sniffing the real format when the MIME type or name lies.

    Raises ``bot.errors.TranscriptError`` with a one-line reason when nothing can be parsed.
    """
    raise NotImplementedError  # transcripts helper
