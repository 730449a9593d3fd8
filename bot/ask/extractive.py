"""Offline answers: the best 1–3 sentences from the top passages, each pinned to its moment."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot.core.models import Episode, TranscriptSegment
from bot.core.moments import moment_url
from bot.core.values import Citation, Passage, Segment
from bot.search.chunker import joined_text
from bot.search.terms import content_words, stem

log = logging.getLogger(__name__)

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'A-Z0-9])")
SPEAKER_LABEL = re.compile(r"^[A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,3}:\s+")
MIN_WORDS, MAX_WORDS = 6, 70
MAX_SENTENCES = 3
PASSAGES_READ = 5
KEEP_RATIO = 0.6  # a runner-up sentence must score this fraction of the best to be kept


@dataclass(frozen=True)
class Sentence:
    text: str
    passage: Passage
    offset: int  # character offset inside the passage text
    score: float


def split_sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs; transcripts punctuate loosely, so this is deliberately simple."""
    out, offset = [], 0
    for piece in SENTENCE_END.split(text):
        found = text.find(piece, offset)
        offset = found if found >= 0 else offset
        out.append((offset, piece.strip()))
        offset += len(piece)
    return out


def best_sentences(
    question: str, passages: Sequence[Passage], idf: dict[str, float]
) -> list[Sentence]:
    """Sentences that share the most (IDF-weighted) words with the question, best first."""
    wanted = {stem(w): idf.get(w, 1.0) for w in content_words(question)}
    candidates: list[Sentence] = []
    for rank, passage in enumerate(passages[:PASSAGES_READ]):
        for offset, text in split_sentences(passage.text):
            if text.endswith("?"):  # a question never answers one
                continue
            if label := SPEAKER_LABEL.match(text):  # chunks prefix each turn with "Name:"
                offset, text = offset + label.end(), text[label.end() :]
            size = len(text.split())
            if not MIN_WORDS <= size <= MAX_WORDS:
                continue
            stems = {stem(w) for w in content_words(text)}
            overlap = sum(weight for s, weight in wanted.items() if s in stems)
            if overlap > 0:
                # Earlier passages are likelier to be on topic; ties go to the better passage.
                score = overlap / (1 + 0.15 * rank)
                candidates.append(Sentence(text, passage, offset, score))
    candidates.sort(key=lambda s: -s.score)
    candidates = _distinct(candidates)
    if not candidates:
        return []
    keep = [s for s in candidates if s.score >= KEEP_RATIO * candidates[0].score]
    return keep[:MAX_SENTENCES]


def _distinct(sentences: list[Sentence]) -> list[Sentence]:
    """The first of each sentence said more than once (transcript, insight and summary often
    carry the same words)."""
    seen: set[str] = set()
    out = []
    for sentence in sentences:
        key = " ".join(content_words(sentence.text))
        if key not in seen:
            seen.add(key)
            out.append(sentence)
    return out


def idf_weights(doc_freqs: dict[str, int], total: int) -> dict[str, float]:
    """Smoothed inverse document frequency per word."""
    return {w: math.log(1 + (total + 1) / (df + 1)) for w, df in doc_freqs.items()}


def sentence_citation(session: Session, sentence: Sentence) -> Citation:
    """The sentence cited at the transcript segment where it starts (else its passage)."""
    passage = sentence.passage
    start, end = passage.start, passage.end
    if passage.kind == "transcript":
        span = (sentence.offset, sentence.offset + len(sentence.text))
        start, end = _segment_times(session, passage, span) or (start, end)
    url = passage.url
    if start != passage.start:
        episode = session.get(Episode, passage.episode_id)
        url = moment_url(episode.audio_url, episode.link, start) if episode else url
    return Citation(
        podcast=passage.podcast,
        episode=passage.episode,
        episode_id=passage.episode_id,
        start=start,
        end=end,
        text=sentence.text,
        url=url,
    )


def _segment_times(
    session: Session, passage: Passage, span: tuple[int, int]
) -> tuple[float, float] | None:
    """Rebuild the chunk text from its segments (as the chunker joined them) to find times."""
    rows = session.exec(
        select(TranscriptSegment)
        .where(TranscriptSegment.episode_id == passage.episode_id)
        .where(col(TranscriptSegment.start) >= passage.start)
        .where(col(TranscriptSegment.start) <= passage.end)
        .order_by(col(TranscriptSegment.idx))
    ).all()
    segments = [s for s in rows if s.text.split()]
    if not segments:
        return None
    _, offsets = joined_text([Segment(s.start, s.end, s.speaker, s.text) for s in segments])
    start = None
    for row, offset, following in zip(segments, offsets, [*offsets[1:], None], strict=True):
        ends_at = following if following is not None else offset + len(row.text)
        if start is None and ends_at > span[0]:
            start = row.start
        if start is not None and ends_at >= span[1]:
            return start, row.end
    return (start, passage.end) if start is not None else None
