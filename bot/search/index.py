"""The passage index: an episode's transcript chunks, summary and insights, stored for search.

The full-text index follows the chunk table by itself (triggers from migration 0002); with an
embedder, each chunk also carries its vector.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from bot.core.models import Chunk, EpisodeSummary, Insight
from bot.core.ports import Embedder, Extraction
from bot.core.values import Segment
from bot.search import postgres
from bot.search.chunker import chunk_segments
from bot.search.fulltext import dialect
from bot.search.vectors import embed_texts, to_blob
from bot.transcripts.store import load_segments

log = logging.getLogger(__name__)


def index_episode(
    session: Session,
    episode_id: int,
    *,
    embedder: Embedder | None = None,
    vectors: Mapping[str, object] | None = None,
) -> int:
    """Replace the episode's chunks: transcript passages, its summary and its insights.

    Idempotent; returns how many chunks were stored. Chunks get embeddings from ``vectors``
    (by chunk text, computed ahead by a caller that must not embed inside a write) or from
    ``embedder``.
    """
    rows = episode_chunk_rows(session, episode_id)
    if vectors is None and embedder is not None and rows:
        # Embed before deleting: the embeddings API can take minutes, and a write here would
        # hold SQLite's write lock (and PostgreSQL's row locks) for all that time.
        vectors = dict(
            zip(
                [r["text"] for r in rows],
                embed_texts([r["text"] for r in rows], embedder),
                strict=True,
            )
        )
    if vectors is not None:
        embed_chunk_rows(rows, [vectors.get(row["text"]) for row in rows])
        if missing := sum(row["text"] not in vectors for row in rows):
            log.warning("episode %s: %d chunks indexed without embeddings", episode_id, missing)
    return replace_chunks(session, episode_id, rows)


def planned_chunk_texts(
    segments: Sequence[Segment], extraction: Extraction, kept_insights: Sequence[str] = ()
) -> list[str]:
    """Every chunk text an episode will be indexed with, before it is stored (for embedding).

    ``kept_insights`` are chunk texts of stored insights a rerun keeps (delivered or rated).
    """
    summary = extraction.summary
    texts = [chunk.text for chunk in chunk_segments(segments)] + list(kept_insights)
    texts += [insight_chunk_text(item.text, item.quote) for item in extraction.insights]
    if summary.summary.strip():
        points = [point.text for point in summary.key_points]
        texts.append(summary_chunk_text(summary.summary, points, summary.topics))
    return list(dict.fromkeys(texts))


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
    if dialect(session) == "postgresql" and postgres.pgvector_available(session):
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
