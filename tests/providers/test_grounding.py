"""Quote grounding forgives case, spacing, punctuation and fillers, and nothing else."""

from __future__ import annotations

from bot.core.values import Segment
from bot.providers.grounding import TranscriptIndex

SEGMENTS = [
    Segment(10.0, 14.0, "Dana", "So, um, we took the open model,"),
    Segment(14.0, 19.0, "Dana", "tuned it on our tickets — and our bill dropped."),
    Segment(19.0, 25.0, "Lee", "That's the part people don't believe."),
]


def test_quote_spanning_segments_is_found_with_times_and_speaker():
    index = TranscriptIndex(SEGMENTS)
    match = index.locate("We took the Open Model, tuned it on our tickets and our bill dropped")
    assert (match.start, match.end, match.speaker) == (10.0, 19.0, "Dana")


def test_apostrophes_and_fillers_are_forgiven():
    index = TranscriptIndex(SEGMENTS)
    assert index.locate("so we took the open model").start == 10.0
    assert index.locate("thats the part people dont believe").speaker == "Lee"


def test_paraphrase_partial_words_and_short_quotes_are_rejected():
    index = TranscriptIndex(SEGMENTS)
    assert index.locate("we fine-tuned the open model on tickets") is None
    assert index.locate("ook the open model tuned") is None  # not word-aligned
    assert index.locate("our bill dropped") is None  # too short to prove anything
