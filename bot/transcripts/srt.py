"""SubRip (SRT), including the broken variants real feeds serve."""

from __future__ import annotations

from bot.core.values import Segment
from bot.transcripts.cues import cues_to_segments, parse_cue_blocks


def parse_srt(text: str) -> list[Segment]:
    """Segments from SRT text: numbered or not, ``-->`` spaced or not, ``,`` or ``.`` millis."""
    return cues_to_segments(parse_cue_blocks(text))
