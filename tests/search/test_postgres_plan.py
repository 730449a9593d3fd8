"""PostgreSQL retrieval: the ranking query finds candidates through the GIN index (checked in
the plan), scores them by BM25 as documented, and its term statistics follow re-indexing."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.core.models import Episode, Podcast
from bot.search import postgres
from bot.search.index import chunk_row, insert_chunk_rows, replace_chunks
from bot.search.terms import query_terms

# conftest's module_engine, PostgreSQL only (skipped with the reason when it is unreachable)
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("module_engine", ["postgres"], indirect=True, scope="module"),
]

# At this size, analysed, the planner prices the bitmap scan of the GIN index ~9x below a
# sequential scan of chunk (33 vs 312 here): the decision does not hinge on cost settings.
CHUNKS = 2000
EPISODES = 20
RARE = "zeppelin"  # in a handful of chunks: a question about it must not read the others
RARE_AT = range(5, CHUNKS, 350)  # chunk numbers; episode = number % EPISODES
COMMON = "harbour"  # in > CANDIDATE_MIN chunks: too common to pick candidates, it only scores
QUESTION = f"What did they say about the {RARE} over the {COMMON}?"


def _filler(rng: random.Random, size: int) -> list[str]:
    # Made-up words the english configuration keeps as they are (letters and a number).
    return [f"filler{rng.randrange(400)}" for _ in range(size)]


def _chunk_texts() -> list[str]:
    rng = random.Random(17)
    texts = []
    for number in range(CHUNKS):
        words = _filler(rng, 40)
        if number % 2 == 0:
            words[rng.randrange(40)] = COMMON
        if number in RARE_AT:  # once or twice
            words[rng.randrange(40)] = RARE
            words[rng.randrange(40)] = RARE if number % 3 else "filler0"
        texts.append(" ".join(words))
    return texts


@pytest.fixture(scope="module")
def library(module_engine: Engine) -> Iterator[tuple[Session, list[int]]]:
    """CHUNKS chunks over EPISODES episodes, inserted as the index does, then vacuumed and
    analysed as autovacuum would: the GIN index's pending list (where fresh rows wait, read in
    full by every search) is merged and the planner decides from real statistics."""
    with Session(module_engine, expire_on_commit=False) as session:
        podcast = Podcast(url="https://plan.example/feed", title="Plan")
        session.add(podcast)
        session.flush()
        episodes = [
            Episode(podcast_id=podcast.id, identity=f"plan:{n}", title=f"Episode {n}")
            for n in range(EPISODES)
        ]
        session.add_all(episodes)
        session.flush()
        episode_ids = [episode.id for episode in episodes]
        rows = [
            chunk_row(episode_ids[n % EPISODES], "transcript", body, idx=n // EPISODES)
            for n, body in enumerate(_chunk_texts())
        ]
        insert_chunk_rows(session, rows)
        session.commit()
    with module_engine.connect() as conn:  # VACUUM runs outside a transaction
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE chunk"))
    with Session(module_engine, expire_on_commit=False) as session:
        yield session, episode_ids


def _plan(session: Session, episode_ids: list[int] | None) -> dict:
    query = postgres.rank_query(session, query_terms(QUESTION), episode_ids, limit=50)
    assert query is not None
    statement, params = query
    explained = text("EXPLAIN (ANALYZE, FORMAT JSON) " + statement.text)
    return session.execute(explained, params).scalar_one()[0]["Plan"]


def _nodes(plan: dict) -> Iterator[dict]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def test_ranking_finds_candidates_through_the_gin_index(library):
    session, _ = library
    nodes = list(_nodes(_plan(session, None)))
    gin = [n for n in nodes if n.get("Index Name") == "ix_chunk_tsv"]
    assert gin, "the ranking query does not use the GIN index on chunk.tsv"
    assert gin[0]["Node Type"] == "Bitmap Index Scan"
    assert gin[0]["Actual Rows"] == len(RARE_AT)  # only the rare word picks candidates
    assert not [n for n in nodes if n["Node Type"] == "Seq Scan"], "a full scan of chunk"


def test_scoped_ranking_reads_no_chunk_outside_the_index(library):
    session, episode_ids = library
    nodes = list(_nodes(_plan(session, episode_ids[:1])))
    assert not [n for n in nodes if n["Node Type"] == "Seq Scan"]
    assert any(n.get("Index Name", "").startswith("ix_chunk_") for n in nodes)


def test_scores_are_okapi_bm25_over_the_candidates(library):
    session, _ = library
    ranked = postgres.rank_chunks(session, query_terms(QUESTION), None, limit=50)
    assert len(ranked) == len(RARE_AT)
    expected = _reference_bm25(session)
    assert [chunk_id for chunk_id, _ in ranked] == [chunk_id for chunk_id, _ in expected]
    assert [score for _, score in ranked] == pytest.approx([s for _, s in expected], rel=1e-9)


def _reference_bm25(session: Session) -> list[tuple[int, float]]:
    """BM25 as the module documents it: chunks holding the rare word, IDF from all chunks,
    length in distinct lexemes against the candidates' mean, tf = positions of the lexeme."""
    total = session.execute(text("SELECT count(*) FROM chunk")).scalar_one()
    df = dict(session.execute(text("SELECT lexeme, ndoc FROM chunk_term")).all())
    rows = session.execute(
        text(
            "SELECT c.id, length(c.tsv), u.lexeme, array_length(u.positions, 1) "
            "FROM chunk c, unnest(c.tsv) u WHERE c.tsv @@ CAST(:q AS tsquery) "
            "AND u.lexeme IN ('zeppelin', 'harbour')"
        ),
        {"q": RARE},
    ).all()
    lengths = {chunk_id: dl for chunk_id, dl, _, _ in rows}
    avgdl = sum(lengths.values()) / len(lengths)
    scores: dict[int, float] = {}
    for chunk_id, dl, lexeme, tf in rows:
        idf = math.log(1 + (total - df[lexeme] + 0.5) / (df[lexeme] + 0.5))
        norm = tf + postgres.K1 * (1 - postgres.B + postgres.B * dl / avgdl)
        scores[chunk_id] = scores.get(chunk_id, 0.0) + idf * tf * (postgres.K1 + 1) / norm
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def test_term_statistics_cached_in_the_session_follow_reindexing(library):
    shared, episode_ids = library
    with Session(shared.get_bind()) as session:  # rolled back: the library stays as it is
        assert postgres.doc_freqs(session, [RARE]) == ({RARE: len(RARE_AT)}, CHUNKS)
        episode = RARE_AT[0] % EPISODES  # holds some of the rare chunks
        replace_chunks(session, episode_ids[episode], [chunk_row(episode_ids[episode], "x", "x")])
        rare_left = sum(1 for n in RARE_AT if n % EPISODES != episode)
        assert 0 < rare_left < len(RARE_AT)
        left = CHUNKS - CHUNKS // EPISODES + 1
        assert postgres.doc_freqs(session, [RARE]) == ({RARE: rare_left}, left)
        session.rollback()


def test_tsvectors_are_stored_inline(library):
    session, _ = library
    storage = session.execute(
        text(
            "SELECT attstorage FROM pg_attribute "
            "WHERE attrelid = 'chunk'::regclass AND attname = 'tsv'"
        )
    ).scalar_one()
    assert storage == "m"  # migration 0006: BM25 reads every candidate's tsvector
