"""Full-text ranking on whichever database the session is bound to (FTS5 or tsvector)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from bot.search import postgres, sqlite
from bot.search.rows import Place
from bot.search.terms import QueryTerm


def rank_chunks(
    session: Session, terms: Sequence[QueryTerm], episode_ids: list[int] | None, *, limit: int
) -> list[tuple[int, float]]:
    """Full-text ranking on whichever database ``session`` is bound to."""
    backend = postgres if dialect(session) == "postgresql" else sqlite
    return backend.rank_chunks(session, terms, episode_ids, limit=limit)


def rank_placed(
    session: Session, terms: Sequence[QueryTerm], episode_ids: list[int] | None, *, limit: int
) -> tuple[list[tuple[int, float]], dict[int, Place] | None]:
    """``rank_chunks``, and each chunk's place (episode id, kind, idx) where the backend's
    ranking query reads it too (PostgreSQL); None: the caller looks the places up."""
    if dialect(session) == "postgresql":
        return postgres.rank_placed(session, terms, episode_ids, limit=limit)
    return sqlite.rank_chunks(session, terms, episode_ids, limit=limit), None


def doc_freqs(session: Session, words: Sequence[str]) -> tuple[dict[str, int], int]:
    """Chunks containing each word (as the index stems it), and the number of chunks."""
    backend = postgres if dialect(session) == "postgresql" else sqlite
    return backend.doc_freqs(session, words)


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name
