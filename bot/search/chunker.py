"""Cut transcript segments into retrievable passages of about 200–400 words."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.core.values import Segment

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChunkDraft:
    """A passage before it is stored: text with its time range and speakers."""

    idx: int
    start: float
    end: float
    text: str
    speakers: list[str] = field(default_factory=list)

    @property
    def words(self) -> int:
        return len(self.text.split())


def chunk_segments(
    segments: Sequence[Segment], *, min_words: int = 200, max_words: int = 400
) -> list[ChunkDraft]:
    """Group consecutive segments into chunks, cutting only at segment boundaries.

    A chunk closes once it holds ``min_words`` and the next segment would push it past
    ``max_words`` (or at a speaker change once it is long enough); a short tail is merged
    into the previous chunk when that keeps it within ``max_words``. A single segment longer
    than ``max_words`` becomes its own chunk rather than being split mid-sentence.
    """
    groups: list[list[Segment]] = []
    current: list[Segment] = []
    count = 0
    for segment in segments:
        size = len(segment.text.split())
        if size == 0:
            continue
        if current and _should_cut(current, count, segment, size, min_words, max_words):
            groups.append(current)
            current, count = [], 0
        current.append(segment)
        count += size
    if current:
        _append_tail(groups, current, count, min_words, max_words)
    return [_draft(idx, group) for idx, group in enumerate(groups)]


def _should_cut(
    current: list[Segment], count: int, nxt: Segment, size: int, min_words: int, max_words: int
) -> bool:
    if count + size > max_words:
        return True
    # Prefer cutting where the speaker changes once the chunk is comfortably long.
    speaker_change = nxt.speaker is not None and nxt.speaker != current[-1].speaker
    return count >= min_words and (speaker_change or count + size > (min_words + max_words) // 2)


def _append_tail(
    groups: list[list[Segment]], tail: list[Segment], count: int, min_words: int, max_words: int
) -> None:
    if groups and count < min_words:
        previous = sum(len(s.text.split()) for s in groups[-1])
        if previous + count <= max_words:
            groups[-1].extend(tail)
            return
    groups.append(tail)


def joined_text(segments: Sequence[Segment]) -> tuple[str, list[int]]:
    """The segments as one passage, and where each segment starts in it.

    The speaker's name leads each change of speaker ("Ann: …"), so passages read like a
    transcript and a question naming a speaker finds what they said.
    """
    parts: list[str] = []
    offsets: list[int] = []
    position, previous = 0, None
    for segment in segments:
        text = " ".join(segment.text.split())
        if segment.speaker and segment.speaker != previous:
            text = f"{segment.speaker}: {text}"
        previous = segment.speaker or previous
        offsets.append(position)
        parts.append(text)
        position += len(text) + 1
    return " ".join(parts), offsets


def _draft(idx: int, group: list[Segment]) -> ChunkDraft:
    speakers: list[str] = []
    for segment in group:
        if segment.speaker and segment.speaker not in speakers:
            speakers.append(segment.speaker)
    text, _ = joined_text(group)
    return ChunkDraft(
        idx=idx, start=group[0].start, end=max(s.end for s in group), text=text, speakers=speakers
    )
