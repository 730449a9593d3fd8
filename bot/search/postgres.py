"""PostgreSQL backend: tsvector + GIN to find candidates, BM25 over the tsvector to rank.

``ts_rank`` has no IDF, so a common word counts as much as a rare one. We keep per-lexeme
document frequencies in ``chunk_term`` (maintained by triggers, see migration 0002) and score
Okapi BM25 in SQL from the lexeme positions stored in the tsvector.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import TextClause, text
from sqlmodel import Session

from bot.search.rows import Place
from bot.search.terms import QueryTerm

log = logging.getLogger(__name__)

K1 = 1.2
B = 0.75
# Candidates come from the rarest query lexemes until about this share of chunks would match,
# so a question full of common words does not score half the corpus (as in search_sqlite).
CANDIDATE_SHARE = 0.02
CANDIDATE_MIN = 1000
POOL = 3000

# Each word's lexemes under the ``english`` configuration (stopwords give none) with their
# document frequencies, and the chunk count: one round trip for all a question needs. Planner
# statistics give the count for free once the table is analysed; small or fresh tables are
# counted exactly.
STATS_SQL = text(
    "SELECT w.word, l.lexeme, coalesce(t.ndoc, 0), "
    "(SELECT CASE WHEN e.n >= 10000 THEN e.n ELSE (SELECT count(*) FROM chunk) END "
    " FROM (SELECT reltuples::bigint AS n FROM pg_class WHERE oid = 'chunk'::regclass) e) "
    "FROM unnest(CAST(:words AS text[])) AS w(word) "
    "LEFT JOIN LATERAL unnest(to_tsvector('english', w.word)) AS l(lexeme, positions, weights) "
    "ON true LEFT JOIN chunk_term t ON t.lexeme = l.lexeme"
)
RANK_SQL = """
WITH cand AS MATERIALIZED (
    -- One look at each candidate's tsvector (stored inline, migration 0006): its length and
    -- just the query's lexemes, so the scoring below handles a few entries per chunk; and
    -- its place (episode, kind, idx), which context reranking reads next.
    SELECT c.id, c.episode_id, c.kind, c.idx, length(c.tsv)::float8 AS dl,
           ts_filter(setweight(c.tsv, 'A', CAST(:lex AS text[])), '{{a}}') AS hit
    FROM chunk c
    WHERE c.tsv @@ CAST(:tsq AS tsquery) {scope}
    {pool}
), norm AS (
    -- Length normalisation against the candidates' mean length (distinct lexemes): chunks
    -- are cut to similar sizes, and a corpus-wide mean would cost a scan per question.
    SELECT greatest(avg(dl), 1.0) AS avgdl FROM cand
)
SELECT cand.id, (
    SELECT sum((CAST(:idf AS float8[]))[array_position(CAST(:lex AS text[]), u.lexeme)]
               * (f.tf * (:k1 + 1)) / (f.tf + :k1 * (1 - :b + :b * cand.dl / norm.avgdl)))
    FROM unnest(cand.hit) AS u(lexeme, positions, weights)
    CROSS JOIN LATERAL (SELECT coalesce(array_length(u.positions, 1), 1)::float8 AS tf) f
) AS s, cand.episode_id, cand.kind, cand.idx
FROM cand CROSS JOIN norm
ORDER BY s DESC, cand.id LIMIT :limit
"""
# Only when the candidate words still match more chunks than POOL are they pre-ranked (ties
# broken by id, so the pool does not depend on the plan).
POOL_SQL = "ORDER BY ts_rank(c.tsv, CAST(:tsq AS tsquery)) DESC, c.id LIMIT :pool"
# Term statistics are remembered for the session's lifetime under the key search_sqlite uses,
# which bot.search.index drops whenever chunks change.
CACHE_KEY = "podbrief.doc_freqs"


@dataclass
class TermStats:
    """What the session has learnt of the index: lexemes per word, frequency per lexeme."""

    lexemes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    ndoc: dict[str, int] = field(default_factory=dict)
    total: int = 0


def term_stats(session: Session, words: Sequence[str]) -> TermStats:
    """The session's term statistics, looked up for any of ``words`` not seen yet."""
    stats = session.info.get(CACHE_KEY)
    if not isinstance(stats, TermStats):
        stats = session.info[CACHE_KEY] = TermStats()
    missing = sorted(set(words) - set(stats.lexemes))
    if missing:
        found: dict[str, list[str]] = {word: [] for word in missing}
        for word, lexeme, ndoc, total in session.execute(STATS_SQL, {"words": missing}):
            if lexeme is not None:
                found[word].append(lexeme)
                stats.ndoc[lexeme] = int(ndoc)
            stats.total = int(total)
        stats.lexemes.update({word: tuple(lexes) for word, lexes in found.items()})
    return stats


def lexemes(session: Session, words: Sequence[str]) -> dict[str, list[str]]:
    """Each word's lexemes under the ``english`` configuration (stopwords give none)."""
    stats = term_stats(session, words)
    return {word: list(stats.lexemes[word]) for word in words}


def _weighted_lexemes(stats: TermStats, terms: Sequence[QueryTerm]) -> dict[str, float]:
    weights: dict[str, float] = {}
    for term in terms:
        for lexeme in stats.lexemes.get(term.word, ()):
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
    return rank_placed(session, terms, episode_ids, limit=limit)[0]


def rank_placed(
    session: Session,
    terms: Sequence[QueryTerm],
    episode_ids: list[int] | None,
    *,
    limit: int,
) -> tuple[list[tuple[int, float]], dict[int, Place]]:
    """``rank_chunks``, and each ranked chunk's place (episode id, kind, idx): the ranking
    query reads the chunk's row anyway, which spares context reranking a query."""
    query = rank_query(session, terms, episode_ids, limit=limit)
    if query is None:
        return [], {}
    rows = session.execute(*query).all()
    ranked = [(int(row[0]), float(row[1])) for row in rows]
    return ranked, {int(row[0]): (int(row[2]), str(row[3]), int(row[4])) for row in rows}


def rank_query(
    session: Session,
    terms: Sequence[QueryTerm],
    episode_ids: list[int] | None,
    *,
    limit: int,
) -> tuple[TextClause, dict] | None:
    """The statement and parameters ``rank_chunks`` runs (None: no term is in the index)."""
    stats = term_stats(session, [t.word for t in terms])
    weights, total, dfs = _weighted_lexemes(stats, terms), stats.total, stats.ndoc
    present = sorted((lex for lex in weights if dfs.get(lex, 0) > 0), key=lambda x: dfs[x])
    if not present or not total:
        return None
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
    return text(RANK_SQL.format(scope=scope, pool=pool)), params


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("'", "''") + "'"


def doc_freqs(session: Session, words: Sequence[str]) -> tuple[dict[str, int], int]:
    """Document frequency per word (its rarest lexeme) and the number of chunks."""
    stats = term_stats(session, words)
    return {
        w: min((stats.ndoc.get(lex, 0) for lex in stats.lexemes[w]), default=0) for w in words
    }, stats.total


def rebuild_term_stats(session: Session) -> None:
    """Recount ``chunk_term`` from scratch (after a bulk load with its triggers disabled), and
    merge the GIN index's pending list, which every search reads in full (migration 0007)."""
    session.info.pop(CACHE_KEY, None)
    session.execute(text("DELETE FROM chunk_term"))
    session.execute(
        text(
            "INSERT INTO chunk_term (lexeme, ndoc) "
            "SELECT u.lexeme, count(*) FROM chunk c, unnest(c.tsv) u GROUP BY u.lexeme"
        )
    )
    merge_pending_entries(session)


def merge_pending_entries(session: Session) -> int:
    """Move the rows waiting in the GIN index's pending list into the index proper (what a
    vacuum does); returns how many pending-list pages were merged."""
    merged = session.execute(text("SELECT gin_clean_pending_list('ix_chunk_tsv'::regclass)"))
    return int(merged.scalar_one())


def pgvector_available(session: Session) -> bool:
    """Whether the pgvector extension could be used here (it is not on every server)."""
    query = text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
    return session.execute(query).first() is not None
