"""Podcasting 2.0 JSON chapters (``podcast:chapters``) into [{"start", "title"}]."""

from __future__ import annotations

import json
import logging
import math

from bot.core.errors import InvalidInput

log = logging.getLogger(__name__)

MAX_CHAPTERS = 1000


def parse_chapters(data: bytes) -> list[dict]:
    """Chapters sorted by start time; InvalidInput when the document is not chapters JSON."""
    try:
        doc = json.loads(data.decode("utf-8-sig", errors="replace"))
    except ValueError as exc:
        raise InvalidInput(f"chapters are not JSON ({exc.__class__.__name__})") from None
    raw = doc.get("chapters") if isinstance(doc, dict) else None
    if not isinstance(raw, list):
        raise InvalidInput('chapters JSON has no "chapters" list')
    chapters = [c for c in (_chapter(entry) for entry in raw[:MAX_CHAPTERS]) if c]
    return sorted(chapters, key=lambda c: c["start"])


def _chapter(entry: object) -> dict | None:
    """One chapter, or None for an entry without a usable start time or title."""
    if not isinstance(entry, dict) or entry.get("toc") is False:
        return None  # toc=false marks a silent chapter (artwork change), not a section
    try:
        start = float(entry.get("startTime", entry.get("start", "")))
    except (TypeError, ValueError):
        return None
    title = str(entry.get("title") or "").strip()
    if not title or not math.isfinite(start) or start < 0:
        return None
    return {"start": start, "title": title}
