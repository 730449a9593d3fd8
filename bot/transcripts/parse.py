"""Transcript bytes in any format → segments, the real format sniffed from the content."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.values import Segment

TIMED_FORMATS = frozenset({"vtt", "srt", "json"})
# What a "200 OK" error page says; a real transcript is far longer than an error page (HTML
# pages carry navigation words, plain-text error bodies hardly any).
_ERROR_PAGE_RE = re.compile(
    r"\b(?:404|403|not found|page (?:does not|doesn't|could not|couldn't) (?:exist|be found)|"
    r"sorry|access denied|forbidden|no longer available)\b",
    re.IGNORECASE,
)
ERROR_PAGE_WORDS = {"html": 150}
ERROR_BODY_WORDS = 40


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
    from bot.transcripts.sniff import declared_format, decode_transcript, sniff_format

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
    _refuse_non_transcript(fmt, declared_format(mime, filename), segments)
    return ParsedTranscript(format=fmt, segments=segments)


def _refuse_non_transcript(fmt: str, declared: str | None, segments: list[Segment]) -> None:
    """TranscriptError for a body that parsed but is not a transcript: an error page served
    with status 200, or an untimed page where the feed promised timed captions."""
    from bot.core.errors import TranscriptError

    text = " ".join(seg.text for seg in segments)
    words = len(text.split())
    short = words < ERROR_PAGE_WORDS.get(fmt, ERROR_BODY_WORDS)
    if fmt not in TIMED_FORMATS and short and _ERROR_PAGE_RE.search(text):
        raise TranscriptError(f"an error page, not a transcript ({_opening(text)!r})")
    untimed = not any(seg.start > 0 for seg in segments)
    if declared in TIMED_FORMATS and fmt not in TIMED_FORMATS and untimed:
        raise TranscriptError(
            f"declared {declared} but the body is {fmt} with no times "
            f"(an error or web page?): {_opening(text)!r}"
        )


def _opening(text: str, words: int = 8) -> str:
    return " ".join(text.split()[:words])
