"""Chunking segments into 200–400 word passages at segment boundaries."""

from __future__ import annotations

from itertools import pairwise

from bot.core.values import Segment
from bot.search.chunker import chunk_segments, joined_text
from tests.fakes.corpus_episodes import load_segments


def _segments(count: int, words: int, speakers: tuple[str | None, ...] = (None,)) -> list[Segment]:
    return [
        Segment(i * 5.0, i * 5.0 + 4.5, speakers[i % len(speakers)], " ".join([f"w{i}"] * words))
        for i in range(count)
    ]


def test_chunks_stay_between_min_and_max_words_and_cut_at_segment_boundaries():
    segments = _segments(100, 23)
    chunks = chunk_segments(segments)
    assert all(200 <= c.words <= 400 for c in chunks)
    assert " ".join(c.text for c in chunks) == " ".join(s.text for s in segments)
    starts = {s.start for s in segments}
    assert all(c.start in starts for c in chunks)


def test_chunk_times_and_speakers_come_from_their_segments():
    segments = _segments(40, 30, speakers=("Ann", "Bob"))
    first = chunk_segments(segments)[0]
    covered = [s for s in segments if first.start <= s.start < first.end]
    assert first.start == 0.0
    assert first.end == covered[-1].end
    assert first.speakers == ["Ann", "Bob"]


def test_speaker_names_lead_each_change_of_speaker():
    segments = [
        Segment(0, 1, "Ann", "Hello there."),
        Segment(1, 2, "Ann", "Still me."),
        Segment(2, 3, "Bob", "Hi Ann."),
        Segment(3, 4, None, "Unlabelled."),
    ]
    text, offsets = joined_text(segments)
    assert text == "Ann: Hello there. Still me. Bob: Hi Ann. Unlabelled."
    assert [text[o:].split()[0] for o in offsets] == ["Ann:", "Still", "Bob:", "Unlabelled."]
    assert chunk_segments(segments)[0].text == text


def test_short_tail_merges_into_previous_chunk():
    chunks = chunk_segments(_segments(11, 25))  # 275 words: one chunk, not 250 + 25
    assert len(chunks) == 1
    assert chunks[0].words == 275


def test_oversized_segment_is_kept_whole_and_empty_segments_are_skipped():
    segments = [
        Segment(0, 1, None, "x " * 500),
        Segment(1, 2, None, "  "),
        Segment(2, 3, None, "y"),
    ]
    chunks = chunk_segments(segments)
    assert [c.words for c in chunks] == [500, 1]
    assert chunk_segments([]) == []


def test_real_transcript_chunks_cover_every_word_in_order(corpus):
    segments = load_segments(corpus / "transcripts/talkpython/400-ruff-linter.vtt")
    chunks = chunk_segments(segments)
    assert len(chunks) > 20
    assert all(c.words <= 400 for c in chunks)
    assert all(c.words >= 200 for c in chunks[:-1])
    assert [c.idx for c in chunks] == list(range(len(chunks)))
    assert all(a.start < b.start for a, b in pairwise(chunks))
    total = sum(len(s.text.split()) for s in segments)
    labels = sum(len(c.speakers) for c in chunks)  # unlabelled transcript: no names added
    assert sum(c.words for c in chunks) == total + labels
