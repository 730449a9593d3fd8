"""SQLite backend: FTS5 (porter stemming) ranked by BM25, with weighted query terms."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import bindparam, text
from sqlmodel import Session

from bot.terms import QueryTerm, stem

log = logging.getLogger(__name__)

# FTS5's bm25() sums one IDF-weighted score per query phrase, so a term repeated r times
# counts r times: weights are quantised into repeats (the asker's words get REPEATS).
REPEATS = 3


def match_expression(terms: Sequence[QueryTerm]) -> str:
    """An FTS5 MATCH string: each term quoted, repeated by weight, joined with OR."""
    parts: list[str] = []
    for term in terms:
        quoted = '"' + term.word.replace('"', "") + '"'
        parts += [quoted] * max(1, round(term.weight * REPEATS))
    return " OR ".join(parts)


def rank_chunks(
    session: Session,
    terms: Sequence[QueryTerm],
    episode_ids: list[int] | None,
    *,
    limit: int,
) -> list[tuple[int, float]]:
    """(chunk id, score) best first; higher scores are better."""
    if not terms:
        return []
    sql = "SELECT rowid, bm25(chunk_fts) AS s FROM chunk_fts WHERE chunk_fts MATCH :q"
    params: dict = {"q": match_expression(terms), "limit": limit}
    if episode_ids is not None:
        sql += " AND rowid IN (SELECT id FROM chunk WHERE episode_id IN :eps)"
        params["eps"] = episode_ids
    statement = text(sql + " ORDER BY s LIMIT :limit")
    if episode_ids is not None:
        statement = statement.bindparams(bindparam("eps", expanding=True))
    rows = session.execute(statement, params).all()
    return [(int(row[0]), -float(row[1])) for row in rows]


def doc_freqs(session: Session, words: Sequence[str]) -> tuple[dict[str, int], int]:
    """Document frequency per word (matched by its porter stem) and the number of chunks."""
    stems = {word: stem(word) for word in words}
    found: dict[str, int] = {}
    if stems:
        statement = text("SELECT term, doc FROM chunk_vocab WHERE term IN :terms").bindparams(
            bindparam("terms", expanding=True)
        )
        rows = session.execute(statement, {"terms": sorted(set(stems.values()))}).all()
        found = {row[0]: int(row[1]) for row in rows}
    total = int(session.execute(text("SELECT count(*) FROM chunk")).scalar_one())
    return {word: found.get(s, 0) for word, s in stems.items()}, total
