"""SQLite backend: FTS5 (porter stemming) ranked by BM25, with weighted query terms."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import bindparam, text
from sqlmodel import Session

from bot.search.terms import QueryTerm, stem

log = logging.getLogger(__name__)

# FTS5's bm25() sums one IDF-weighted score per query phrase, so a term repeated r times
# counts r times: weights are quantised into repeats (the asker's words get REPEATS).
REPEATS = 3
CANDIDATE_SHARE = 0.02
CANDIDATE_MIN = 1000


def match_expression(terms: Sequence[QueryTerm]) -> str:
    """An FTS5 MATCH string: each term quoted, repeated by weight, joined with OR."""
    parts: list[str] = []
    for term in terms:
        parts += [_quoted(term.word)] * max(1, round(term.weight * REPEATS))
    return " OR ".join(parts)


def _quoted(word: str) -> str:
    return '"' + word.replace('"', "") + '"'


def frequent_word_cutoff(session: Session, terms: Sequence[QueryTerm]) -> list[QueryTerm]:
    """The query without words too frequent to matter, like Elasticsearch's cutoff_frequency.

    FTS5 scores every chunk that matches any OR'd word, so one word found in a fifth of the
    chunks makes a query slow at scale while adding little (its IDF is low). The rarest words
    are kept until together they would match about CANDIDATE_SHARE of the chunks (at least
    CANDIDATE_MIN chunks, so small libraries keep every word).
    """
    dfs, total = doc_freqs(session, [t.word for t in terms])
    present = sorted((t for t in terms if dfs[t.word] > 0), key=lambda t: dfs[t.word])
    kept, covered = [], 0
    for term in present:
        if kept and covered + dfs[term.word] > max(CANDIDATE_MIN, total * CANDIDATE_SHARE):
            break
        kept.append(term)
        covered += dfs[term.word]
    return kept


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
    kept = frequent_word_cutoff(session, terms)
    if not kept:
        return []
    sql = "SELECT rowid, bm25(chunk_fts) AS s FROM chunk_fts WHERE chunk_fts MATCH :q"
    params: dict = {"q": match_expression(kept), "limit": limit}
    if episode_ids is not None:
        sql += " AND rowid IN (SELECT id FROM chunk WHERE episode_id IN :eps)"
        params["eps"] = episode_ids
    statement = text(sql + " ORDER BY s LIMIT :limit")
    if episode_ids is not None:
        statement = statement.bindparams(bindparam("eps", expanding=True))
    rows = session.execute(statement, params).all()
    return [(int(row[0]), -float(row[1])) for row in rows]


def doc_freqs(session: Session, words: Sequence[str]) -> tuple[dict[str, int], int]:
    """Document frequency per word (matched by its porter stem) and the number of chunks.

    Remembered for the session's lifetime (one question, usually): the fts5vocab lookup costs
    milliseconds and retrieval and answering ask about the same words.
    """
    cache: dict[str, int] = session.info.setdefault("podbrief.doc_freqs", {})
    stems = {word: stem(word) for word in words}
    missing = sorted(set(stems.values()) - set(cache))
    if missing:
        statement = text("SELECT term, doc FROM chunk_vocab WHERE term IN :terms").bindparams(
            bindparam("terms", expanding=True)
        )
        found = dict(session.execute(statement, {"terms": missing}).all())
        cache.update({term: int(found.get(term, 0)) for term in missing})
    if "#chunks" not in cache:  # "#" never starts an FTS5 term
        cache["#chunks"] = int(session.execute(text("SELECT count(*) FROM chunk")).scalar_one())
    return {word: cache[s] for word, s in stems.items()}, cache["#chunks"]
