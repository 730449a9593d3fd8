"""PostgreSQL backend: tsvector + GIN to find candidates, BM25 over the tsvector to rank.

``ts_rank`` has no IDF, so a common word counts as much as a rare one. We keep per-lexeme
document frequencies in ``chunk_term`` (maintained by triggers, see migration 0002) and score
Okapi BM25 in SQL from the lexeme positions stored in the tsvector.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

from sqlalchemy import text
from sqlmodel import Session

from bot.search.terms import QueryTerm

log = logging.getLogger(__name__)

K1 = 1.2
B = 0.75
# Candidates come from the rarest query lexemes until about this share of chunks would match,
# so a question full of common words does not score half the corpus (as in search_sqlite).
CANDIDATE_SHARE = 0.02
CANDIDATE_MIN = 1000
POOL = 3000

LEXEMES_SQL = text(
    "SELECT w, coalesce((SELECT array_agg(lexeme) FROM unnest(to_tsvector('english', w))), "
    "'{}') FROM unnest(CAST(:words AS text[])) AS w"
)
# Planner statistics give the chunk count for free once the table is analysed; small or
# fresh tables are counted exactly.
COUNT_SQL = text(
    "SELECT CASE WHEN e.n >= 10000 THEN e.n ELSE (SELECT count(*) FROM chunk) END "
    "FROM (SELECT reltuples::bigint AS n FROM pg_class WHERE oid = 'chunk'::regclass) e"
)
DF_SQL = text("SELECT lexeme, ndoc FROM chunk_term WHERE lexeme = ANY(CAST(:lex AS text[]))")
RANK_SQL = """
WITH q AS (
    SELECT * FROM unnest(CAST(:lex AS text[]), CAST(:idf AS float8[])) AS q(lexeme, idf)
), cand AS (
    SELECT c.id, c.tsv, length(c.tsv)::float8 AS dl FROM chunk c
    WHERE c.tsv @@ CAST(:tsq AS tsquery) {scope}
    {pool}
), norm AS (
    -- Length normalisation against the candidates' mean length (distinct lexemes): chunks
    -- are cut to similar sizes, and a corpus-wide mean would cost a scan per question.
    SELECT greatest(avg(dl), 1.0) AS avgdl FROM cand
)
SELECT cand.id, sum(q.idf * (tf * (:k1 + 1)) / (tf + :k1 * (1 - :b + :b * dl / norm.avgdl))) AS s
FROM cand
CROSS JOIN norm
CROSS JOIN LATERAL unnest(
    ts_filter(setweight(cand.tsv, 'A', CAST(:lex AS text[])), '{{a}}')
) AS u(lexeme, positions, weights)
CROSS JOIN LATERAL (SELECT coalesce(array_length(u.positions, 1), 1)::float8 AS tf) f
JOIN q ON q.lexeme = u.lexeme
GROUP BY cand.id ORDER BY s DESC, cand.id LIMIT :limit
"""
# Only when the candidate words still match more chunks than POOL are they pre-ranked.
POOL_SQL = "ORDER BY ts_rank(c.tsv, CAST(:tsq AS tsquery)) DESC LIMIT :pool"


def lexemes(session: Session, words: Sequence[str]) -> dict[str, list[str]]:
    """Each word's lexemes under the ``english`` configuration (stopwords give none)."""
    rows = session.execute(LEXEMES_SQL, {"words": list(words)}).all()
    return {row[0]: list(row[1]) for row in rows}


def _weighted_lexemes(session: Session, terms: Sequence[QueryTerm]) -> dict[str, float]:
    by_word = lexemes(session, [t.word for t in terms])
    weights: dict[str, float] = {}
    for term in terms:
        for lexeme in by_word.get(term.word, []):
            weights[lexeme] = max(weights.get(lexeme, 0.0), term.weight)
    return weights


def _idf(ndoc: int, total: int) -> float:
    return math.log(1 + (total - ndoc + 0.5) / (ndoc + 0.5))


def rank_chunks(
    session: Session,
    terms: Sequence[QueryTerm],
    episode_ids: list[int] | None,
    *,
    limit: int,
) -> list[tuple[int, float]]:
    """(chunk id, BM25 score) best first."""
    weights = _weighted_lexemes(session, terms)
    total = int(session.execute(COUNT_SQL).scalar_one())
    dfs = {row[0]: int(row[1]) for row in session.execute(DF_SQL, {"lex": list(weights)}).all()}
    present = sorted((lex for lex in weights if dfs.get(lex, 0) > 0), key=lambda x: dfs[x])
    if not present or not total:
        return []
    candidates, covered = [], 0
    for lexeme in present:  # rarest first; frequent words only add to the candidates' scores
        if candidates and covered + dfs[lexeme] > max(CANDIDATE_MIN, total * CANDIDATE_SHARE):
            break
        candidates.append(lexeme)
        covered += dfs[lexeme]
    scope = "AND c.episode_id = ANY(CAST(:eps AS int[]))" if episode_ids is not None else ""
    pool = POOL_SQL if covered > POOL else ""
    params = {
        "lex": present,
        "idf": [weights[lex] * _idf(dfs[lex], total) for lex in present],
        "tsq": " | ".join(_quote(lex) for lex in candidates),
        "pool": POOL,
        "k1": K1,
        "b": B,
        "limit": limit,
        "eps": episode_ids,
    }
    rows = session.execute(text(RANK_SQL.format(scope=scope, pool=pool)), params).all()
    return [(int(row[0]), float(row[1])) for row in rows]


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("'", "''") + "'"


def doc_freqs(session: Session, words: Sequence[str]) -> tuple[dict[str, int], int]:
    """Document frequency per word (its rarest lexeme) and the number of chunks."""
    by_word = lexemes(session, words)
    all_lex = sorted({lex for lexes in by_word.values() for lex in lexes})
    dfs = {row[0]: int(row[1]) for row in session.execute(DF_SQL, {"lex": all_lex}).all()}
    total = int(session.execute(COUNT_SQL).scalar_one())
    return {
        w: min((dfs.get(lex, 0) for lex in by_word.get(w, [])), default=0) for w in words
    }, total


def rebuild_term_stats(session: Session) -> None:
    """Recount ``chunk_term`` from scratch (after a bulk load with its triggers disabled)."""
    session.execute(text("DELETE FROM chunk_term"))
    session.execute(
        text(
            "INSERT INTO chunk_term (lexeme, ndoc) "
            "SELECT u.lexeme, count(*) FROM chunk c, unnest(c.tsv) u GROUP BY u.lexeme"
        )
    )


def pgvector_available(session: Session) -> bool:
    """Whether the pgvector extension could be used here (it is not on every server)."""
    query = text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
    return session.execute(query).first() is not None
