"""Chunk index and retrieval: index an episode's passages, find passages for a question.

Full text runs in the database (FTS5 on SQLite, tsvector on PostgreSQL, both BM25-ranked);
with an embedder configured, vector similarity is fused in by reciprocal rank fusion.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import delete, func, insert
from sqlmodel import Session, col, select

from bot.ask.answers import AskScope, Passage
from bot.core.models import Chunk, Episode, EpisodeSummary, Insight, Podcast
from bot.core.ports import Embedder
from bot.search import postgres as search_pg
from bot.search import sqlite as search_sqlite
from bot.search.chunker import chunk_segments
from bot.search.expansion import corpus_expansions
from bot.search.rerank import rerank_with_context
from bot.search.terms import QueryTerm, content_words, query_terms, stem
from bot.search.vectors import embed_texts, rank_by_vector, reciprocal_rank_fusion, to_blob
from bot.transcripts.sources import load_segments

log = logging.getLogger(__name__)

CANDIDATES = 50  # ranked per retriever before fusion and cutting to ``limit``


def passage_url(episode: Episode, start: float) -> str:
    """A link that opens the audio at ``start`` (media fragment), else the episode page."""
    if episode.audio_url:
        return f"{episode.audio_url.split('#', 1)[0]}#t={int(start)}"
    return episode.link or ""


def index_episode(session: Session, episode_id: int, *, embedder: Embedder | None = None) -> int:
    """Replace the episode's chunks: transcript passages, its summary and its insights.

    Idempotent; returns how many chunks were stored. Embeds them when ``embedder`` is given.
    The full-text index follows the chunk table by itself (triggers from migration 0002).
    """
    rows = episode_chunk_rows(session, episode_id)
    if embedder is not None and rows:
        # Embed before deleting: the embeddings API can take minutes, and a write here would
        # hold SQLite's write lock (and PostgreSQL's row locks) for all that time.
        embed_chunk_rows(rows, embed_texts([row["text"] for row in rows], embedder))
    return replace_chunks(session, episode_id, rows)


def episode_chunk_rows(session: Session, episode_id: int) -> list[dict]:
    """The chunk rows ``index_episode`` would store for the episode (reads only)."""
    return _transcript_chunks(session, episode_id) + _extraction_chunks(session, episode_id)


def embed_chunk_rows(rows: Sequence[dict], vectors: Sequence) -> None:
    """Set each row's embedding blob from its vector (None leaves the row without one)."""
    for row, vector in zip(rows, vectors, strict=True):
        row["embedding"] = None if vector is None else to_blob(vector)


def replace_chunks(session: Session, episode_id: int, rows: Sequence[dict]) -> int:
    """Delete the episode's chunks and insert ``rows``; returns how many were stored."""
    session.info.pop("podbrief.doc_freqs", None)  # counts cached by search_sqlite change now
    if any(row.get("embedding") is not None for row in rows):
        _note_vector_store(session)
    session.execute(delete(Chunk).where(col(Chunk.episode_id) == episode_id))
    insert_chunk_rows(session, rows)
    log.debug("indexed episode %s: %d chunks", episode_id, len(rows))
    return len(rows)


def _note_vector_store(session: Session) -> None:
    # pgvector is optional (absent on many servers, this one included): vectors always live in
    # Chunk.embedding as float32 blobs and are scored in numpy; say so where it could be used.
    if _dialect(session) == "postgresql" and search_pg.pgvector_available(session):
        log.info("pgvector is installed but not used: chunk vectors are scored in numpy")


def insert_chunk_rows(session: Session, rows: Sequence[dict]) -> None:
    """Insert chunk rows (Chunk column → value); the full-text index follows by trigger."""
    if not rows:
        return
    # With RETURNING, SQLAlchemy sends executemany as multi-row INSERTs ("insertmanyvalues",
    # 1000 rows a statement), so PostgreSQL's statement-level triggers update the term
    # statistics once per batch rather than once per chunk; the statement is compiled once.
    session.execute(insert(Chunk).returning(Chunk.id), [{"embedding": None} | r for r in rows])


def _transcript_chunks(session: Session, episode_id: int) -> list[dict]:
    segments = load_segments(session, episode_id)
    return [
        chunk_row(episode_id, "transcript", d.text, d.idx, d.start, d.end, d.speakers)
        for d in chunk_segments(segments)
    ]


def chunk_row(
    episode_id: int,
    kind: str,
    text: str,
    idx: int = 0,
    start: float = 0.0,
    end: float = 0.0,
    speakers: list[str] | None = None,
) -> dict:
    return {
        "episode_id": episode_id,
        "kind": kind,
        "idx": idx,
        "start": start,
        "end": end,
        "speakers": speakers or [],
        "text": text,
    }


def _extraction_chunks(session: Session, episode_id: int) -> list[dict]:
    rows: list[dict] = []
    summary = session.get(EpisodeSummary, episode_id)
    if summary is not None and summary.summary.strip():
        points = [str(p.get("text", "")) for p in summary.key_points or []]
        text = summary_chunk_text(summary.summary, points, summary.topics or [])
        rows.append(chunk_row(episode_id, "summary", text))
    insights = session.exec(
        select(Insight).where(Insight.episode_id == episode_id).order_by(col(Insight.start))
    ).all()
    for idx, insight in enumerate(insights):
        text = insight_chunk_text(insight.text, insight.quote)
        speakers = [insight.speaker] if insight.speaker else []
        rows.append(
            chunk_row(episode_id, "insight", text, idx, insight.start, insight.end, speakers)
        )
    return rows


def summary_chunk_text(summary: str, points: Sequence[str], topics: Sequence[str]) -> str:
    """The text indexed for an episode summary: paragraph, key points, topics."""
    # Each piece ends as a sentence, so an extractive answer never quotes a run-on of titles.
    listed = ", ".join(topics)
    pieces = [summary, *(_as_sentence(p) for p in points), f"Topics: {listed}." if listed else ""]
    return " ".join(piece for piece in pieces if piece.strip()).strip()


def _as_sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?" else f"{text}."


def insight_chunk_text(text: str, quote: str) -> str:
    """The text indexed for an insight: the claim, and its quote unless the claim holds it."""
    quote = quote if quote.strip() not in text else ""
    return f"{text} {quote}".strip()  # an extractive claim is often its own quote


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


def rank_chunks(
    session: Session, terms: Sequence[QueryTerm], episode_ids: list[int] | None, *, limit: int
) -> list[tuple[int, float]]:
    """Full-text ranking on whichever database ``session`` is bound to."""
    backend = search_pg if _dialect(session) == "postgresql" else search_sqlite
    return backend.rank_chunks(session, terms, episode_ids, limit=limit)


def doc_freqs(session: Session, words: Sequence[str]) -> tuple[dict[str, int], int]:
    """Chunks containing each word (as the index stems it), and the number of chunks."""
    backend = search_pg if _dialect(session) == "postgresql" else search_sqlite
    return backend.doc_freqs(session, words)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


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
    (``bot.expansion``; pseudo-relevance ``feedback`` only when asked for).
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
                url=passage_url(episode, start),
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
