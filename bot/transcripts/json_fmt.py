"""Podcasting 2.0 JSON transcripts (word, phrase or sentence segments) merged into sentences."""

from __future__ import annotations

import json
from typing import Any

from bot.core.errors import TranscriptError
from bot.core.values import Segment
from bot.transcripts.segments import Word, merge_into_sentences, tidy
from bot.transcripts.speaker import clean_speaker


def parse_json(text: str) -> list[Segment]:
    """Segments from PC2.0 JSON: ``{"segments": [{"startTime", "endTime", "speaker", "body"}]}``."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TranscriptError(f"invalid JSON transcript: {exc}") from None
    items = doc.get("segments") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise TranscriptError('JSON transcript has no "segments" list')
    words = [_word(item, number) for number, item in enumerate(items, start=1)]
    return tidy(merge_into_sentences(w for w in words if w is not None))


def _word(item: Any, number: int) -> Word | None:
    if not isinstance(item, dict):
        raise TranscriptError(f"JSON transcript segment {number} is not an object")
    body = item.get("body", item.get("text"))
    if not isinstance(body, str):
        return None
    start = _seconds(item.get("startTime", item.get("start")), number)
    end = _seconds(item.get("endTime", item.get("end")), number, default=start)
    speaker = item.get("speaker")
    return Word(start, end, clean_speaker(speaker) if isinstance(speaker, str) else None, body)


def _seconds(value: Any, number: int, default: float | None = None) -> float:
    if value is None and default is not None:
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TranscriptError(f"JSON transcript segment {number} has no valid time") from None
