"""Transcript bytes in any format → segments, the real format sniffed from the content."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.values import Segment


@dataclass(frozen=True, slots=True)
class ParsedTranscript:
    format: str  # vtt | srt | json | html | text | markdown | xml
    segments: list[Segment]


def parse_transcript(
    data: bytes, *, mime: str | None = None, filename: str | None = None
) -> ParsedTranscript:
    """Parse transcript bytes, sniffing the real format when the MIME type or name lies.

    Raises ``bot.core.errors.TranscriptError`` with a one-line reason when nothing can be parsed.
    """
    from bot.core.errors import TranscriptError
    from bot.transcripts.formats import PARSERS
    from bot.transcripts.sniff import decode_transcript, sniff_format

    text = decode_transcript(data)
    fmt = sniff_format(text, mime=mime, filename=filename)
    try:
        segments = PARSERS[fmt](text)
    except TranscriptError:
        raise
    except (ValueError, LookupError, TypeError, AttributeError, RecursionError) as exc:
        # untrusted input: a parser tripping over it is a bad file, not a crash
        raise TranscriptError(f"cannot parse {fmt} transcript: {exc}") from exc
    if not segments:
        raise TranscriptError(f"no transcript text found in the {fmt} data")
    return ParsedTranscript(format=fmt, segments=segments)
