"""Retrieval: the passages that best answer a question, each pinned to its moment.

Full text runs in the database (FTS5 on SQLite, tsvector on PostgreSQL, both BM25-ranked);
with an embedder configured, vector similarity is fused in by reciprocal rank fusion.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.core.models import Chunk, Episode, EpisodeSummary, Podcast
from bot.core.moments import moment_url
from bot.core.ports import Embedder
from bot.core.values import AskScope, Passage
from bot.search.expansion import corpus_expansions
from bot.search.fulltext import rank_chunks
from bot.search.rerank import rerank_with_context
from bot.search.terms import QueryTerm, content_words, query_terms, stem
from bot.search.vectors import rank_by_vector, reciprocal_rank_fusion

log = logging.getLogger(__name__)

CANDIDATES = 50  # ranked per retriever before fusion and cutting to ``limit``


def scoped_episode_ids(session: Session, scope: AskScope) -> list[int] | None:
    """Episode ids inside ``scope``; None when the scope is everything."""
    if scope == AskScope():
        return None
    query = select(Episode.id).join(Podcast, col(Podcast.id) == col(Episode.podcast_id))
    if scope.episode_id is not None:
        query = query.where(Episode.id == scope.episode_id)
    if scope.podcast:
        name = scope.podcast.strip().lower()
        match = func.lower(Podcast.title).contains(name, autoescape=True)
        query = query.where(col(Podcast.id) == int(name) if name.isdigit() else match)
    if scope.since is not None:
        query = query.where(col(Episode.published_at) >= _midnight(scope.since))
    if scope.until is not None:
        query = query.where(col(Episode.published_at) < _midnight(scope.until) + timedelta(1))
    return list(session.exec(query).all())


def _midnight(day) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def search_passages(
    session: Session,
    query: str,
    *,
    scope: AskScope = AskScope(),
    limit: int = 10,
    embedder: Embedder | None = None,
    expansions: dict[str, float] | None = None,
    feedback: bool = False,
) -> list[Passage]:
    """The passages that best answer ``query`` within ``scope``, best first.

    ``expansions`` (word → weight ≤ 1) widen the query; by default they come from the corpus
    (``bot.search.expansion``; pseudo-relevance ``feedback`` only when asked for).
    """
    episode_ids = scoped_episode_ids(session, scope)
    if episode_ids == []:
        return []
    if expansions is None:
        expansions = corpus_expansions(session, query, episode_ids, feedback=feedback)
    terms = query_terms(query, expansions)
    ranked = rank_chunks(session, terms, episode_ids, limit=max(limit, CANDIDATES))
    ranked = rerank_with_context(session, ranked)
    if embedder is not None:
        vector = embedder.embed([query])[0]
        dense = rank_by_vector(session, vector, episode_ids, limit=max(limit, CANDIDATES))
        ranked = reciprocal_rank_fusion([ranked, dense]) if dense else ranked
    return build_passages(session, ranked[:limit], terms)


def build_passages(
    session: Session, ranked: Sequence[tuple[int, float]], terms: Sequence[QueryTerm]
) -> list[Passage]:
    """Passages for ranked chunk ids; summaries are pinned to their best transcript moment."""
    query = (
        select(Chunk, Episode, Podcast)
        .join(Episode, col(Episode.id) == col(Chunk.episode_id))
        .join(Podcast, col(Podcast.id) == col(Episode.podcast_id))
        .where(col(Chunk.id).in_([chunk_id for chunk_id, _ in ranked]))
    )
    found = {chunk.id: (chunk, episode, podcast) for chunk, episode, podcast in session.exec(query)}
    passages = []
    for chunk_id, score in ranked:
        if chunk_id not in found:
            continue
        chunk, episode, podcast = found[chunk_id]
        start, end = chunk.start, chunk.end
        if chunk.kind == "summary":
            start, end = _pin_to_transcript(session, terms, chunk.episode_id, (start, end))
        passages.append(
            Passage(
                podcast=podcast.title,
                episode=episode.title,
                episode_id=episode.id,
                start=start,
                end=end,
                text=chunk.text,
                url=moment_url(episode.audio_url, episode.link, start),
                score=round(score, 6),
                kind=chunk.kind,
            )
        )
    return passages


def _pin_to_transcript(
    session: Session, terms: Sequence[QueryTerm], episode_id: int, default: tuple[float, float]
) -> tuple[float, float]:
    """Where in the episode a summary hit is borne out: best matching transcript chunk, else
    the summary's best matching key point, else the default."""
    for chunk_id, _ in rank_chunks(session, terms, [episode_id], limit=5):
        chunk = session.get(Chunk, chunk_id)
        if chunk is not None and chunk.kind == "transcript":
            return chunk.start, chunk.end
    summary = session.get(EpisodeSummary, episode_id)
    points = [p for p in (summary.key_points if summary else []) or [] if "start" in p]
    if not points:
        return default
    wanted = {stem(t.word) for t in terms}
    best = max(
        points, key=lambda p: len(wanted & {stem(w) for w in content_words(p.get("text", ""))})
    )
    start = float(best["start"])
    around = session.exec(
        select(Chunk.end)
        .where(Chunk.episode_id == episode_id, Chunk.kind == "transcript")
        .where(col(Chunk.start) <= start, col(Chunk.end) >= start)
    ).first()
    return start, float(around) if around is not None else start
