"""WebVTT: webvtt-py for files that follow the spec, the lenient cue reader for the rest."""

from __future__ import annotations

import logging

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from bot.core.values import Segment
from bot.transcripts.cues import RawCue, cues_to_segments, parse_cue_blocks

log = logging.getLogger(__name__)


def parse_vtt(text: str) -> list[Segment]:
    """Segments from WebVTT text (voice tags, cue settings, NOTE/STYLE blocks, rolling lines)."""
    return cues_to_segments(read_vtt_cues(text))


def read_vtt_cues(text: str) -> list[RawCue]:
    """Raw cues via webvtt-py in strict mode; on anything it rejects, the lenient reader."""
    try:
        captions = webvtt.from_string(text, strict=True).captions
    except (MalformedFileError, MalformedCaptionError, ValueError) as exc:
        log.debug("webvtt-py rejected the file (%s); using the lenient cue reader", exc)
        return parse_cue_blocks(text)
    return [
        RawCue(c.start_time.in_milliseconds() / 1000, c.end_time.in_milliseconds() / 1000, c.lines)
        for c in captions
    ]
