"""Chunk embeddings as float32 blobs, brute-force cosine ranking, reciprocal rank fusion."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
from sqlmodel import Session, col, select

from bot.core.models import Chunk
from bot.core.ports import Embedder

log = logging.getLogger(__name__)

BATCH = 64
RRF_K = 60  # the constant from Cormack et al.; damps the influence of any single top rank


def to_blob(vector: np.ndarray) -> bytes:
    """A vector as little-endian float32 bytes."""
    return np.asarray(vector, dtype="<f4").tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f4")


def embed_texts(texts: Sequence[str], embedder: Embedder) -> np.ndarray:
    """Vectors for ``texts``, embedded in batches, as one float32 array."""
    batches = [
        np.asarray(embedder.embed(list(texts[begin : begin + BATCH])), dtype=np.float32)
        for begin in range(0, len(texts), BATCH)
    ]
    return np.vstack(batches) if batches else np.zeros((0, embedder.dim), dtype=np.float32)


def rank_by_vector(
    session: Session,
    query_vector: np.ndarray,
    episode_ids: list[int] | None,
    *,
    limit: int,
) -> list[tuple[int, float]]:
    """(chunk id, cosine similarity) best first, over chunks that have an embedding.

    pgvector is not assumed (it is missing on many servers): vectors are scored in numpy.
    """
    query = select(Chunk.id, Chunk.embedding).where(col(Chunk.embedding).is_not(None))
    if episode_ids is not None:
        query = query.where(col(Chunk.episode_id).in_(episode_ids))
    rows = session.exec(query).all()
    if not rows:
        return []
    ids = np.array([row[0] for row in rows])
    matrix = np.vstack([from_blob(row[1]) for row in rows])
    vector = np.asarray(query_vector, dtype=np.float32).reshape(-1)
    if matrix.shape[1] != vector.shape[0]:
        log.warning(
            "stored embeddings have dim %s, query %s: re-index", matrix.shape[1], len(vector)
        )
        return []
    scores = matrix @ vector
    order = np.argsort(-scores)[:limit]
    return [(int(ids[i]), float(scores[i])) for i in order]


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[tuple[int, float]]], *, k: int = RRF_K
) -> list[tuple[int, float]]:
    """Fuse several best-first rankings into one: score = Σ 1 / (k + rank)."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, (item, _score) in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(fused.items(), key=lambda pair: (-pair[1], pair[0]))
