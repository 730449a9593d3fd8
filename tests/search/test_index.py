"""Indexing and retrieval on SQLite (FTS5) and PostgreSQL (tsvector), with scopes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import Session, func, select

from bot.core.models import Chunk, TranscriptSegment
from bot.core.values import AskScope
from bot.search.index import index_episode
from bot.search.retrieval import search_passages
from tests.fakes.search_embedder import HashingEmbedder
from tests.fakes.search_library import build_library


@pytest.fixture
def library(any_engine):
    with Session(any_engine, expire_on_commit=False) as session:
        ids = build_library(session)
    with Session(any_engine, expire_on_commit=False) as session:
        yield session, ids


def test_index_stores_transcript_summary_and_insight_chunks(library):
    session, ids = library
    kinds = session.exec(select(Chunk.kind).where(Chunk.episode_id == ids["spring"])).all()
    assert sorted(kinds) == ["insight", "summary", "transcript"]


def test_reindexing_is_idempotent_and_forgets_old_text(library):
    session, ids = library
    before = session.exec(select(func.count()).select_from(Chunk)).one()
    index_episode(session, ids["spring"])
    assert session.exec(select(func.count()).select_from(Chunk)).one() == before
    segment = session.exec(
        select(TranscriptSegment).where(TranscriptSegment.episode_id == ids["spring"])
    ).first()
    segment.text = "Completely different words about zucchini."
    session.add(segment)
    index_episode(session, ids["spring"])
    session.commit()
    assert search_passages(session, "zucchini")
    assert not search_passages(
        session, "welcome garden hour", scope=AskScope(episode_id=ids["spring"])
    )[0].text.startswith("Welcome")


def test_stemming_and_stopwords(library):
    session, ids = library
    passages = search_passages(session, "Which of the tomato plants need watered?", expansions={})
    assert passages[0].episode_id == ids["spring"]
    assert "Tomatoes" in passages[0].text
    assert search_passages(session, "the of and is", expansions={}) == []


def test_rare_terms_outweigh_common_ones(library):
    session, ids = library
    # "team" and "friday" are in every episode's filler; "braking" only in one.
    passages = search_passages(session, "team friday braking", expansions={})
    assert passages[0].episode_id == ids["brakes"]
    assert "braking" in passages[0].text


def test_passage_fields_and_audio_link(library):
    session, ids = library
    passage = search_passages(session, "brake pads kilometres")[0]
    assert (passage.podcast, passage.episode, passage.episode_id) == (
        "Motoring Weekly",
        "Brakes",
        ids["brakes"],
    )
    assert passage.url == f"https://cdn.example/motoring/brakes.mp3#t={int(passage.start)}"
    assert passage.start <= 30 < passage.end
    assert passage.score > 0


def test_scope_by_podcast_episode_and_dates(library):
    session, ids = library
    question = "compost leaves lettuce brake"
    by_podcast = search_passages(session, question, scope=AskScope(podcast="garden"))
    assert by_podcast and {p.podcast for p in by_podcast} == {"Garden Hour"}
    by_episode = search_passages(session, question, scope=AskScope(episode_id=ids["autumn"]))
    assert {p.episode_id for p in by_episode} == {ids["autumn"]}
    assert by_episode[0].url == "https://garden.example/autumn"
    dated = search_passages(
        session, question, scope=AskScope(since=date(2026, 4, 1), until=date(2026, 5, 1))
    )
    assert {p.episode_id for p in dated} == {ids["brakes"]}
    assert search_passages(session, question, scope=AskScope(podcast="no such show")) == []


def test_summary_hits_are_pinned_to_the_transcript_moment(library):
    session, ids = library
    passages = search_passages(session, "beginner guide pest control sunlight", expansions={})
    summary = next(p for p in passages if p.kind == "summary")
    assert summary.episode_id == ids["spring"]
    assert summary.start > 0 or summary.end > 0
    assert summary.url.endswith(f"#t={int(summary.start)}")


def test_hybrid_retrieval_finds_synonyms_only_with_embeddings(any_engine):
    embedder = HashingEmbedder()
    with Session(any_engine, expire_on_commit=False) as session:
        ids = build_library(session)
        for episode_id in ids.values():
            index_episode(session, episode_id, embedder=embedder)
        session.commit()
        stored = session.exec(select(Chunk.embedding)).all()
        assert all(blob is not None and len(blob) == 4 * embedder.dim for blob in stored)
        question = "automobile maintenance"
        plain = search_passages(session, question, expansions={})
        hybrid = search_passages(session, question, embedder=embedder, expansions={})
        assert not any("car" in p.text.split() for p in plain)
        assert hybrid and hybrid[0].episode_id == ids["brakes"]
        assert "car" in hybrid[0].text


def test_postgres_term_statistics_follow_inserts_and_deletes(library):
    session, ids = library
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("term statistics are PostgreSQL's (SQLite FTS5 keeps its own)")
    index_episode(session, ids["spring"])
    index_episode(session, ids["brakes"])
    session.commit()
    actual = dict(
        session.execute(
            text("SELECT u.lexeme, count(*) FROM chunk c, unnest(c.tsv) u GROUP BY u.lexeme")
        ).all()
    )
    stored_sql = text("SELECT lexeme, ndoc FROM chunk_term WHERE ndoc > 0")
    assert dict(session.execute(stored_sql).all()) == actual
    from bot.search.postgres import rebuild_term_stats

    session.execute(text("DELETE FROM chunk_term"))
    rebuild_term_stats(session)
    assert dict(session.execute(stored_sql).all()) == actual


def test_pgvector_is_detected_not_required(library):
    session, _ = library
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("pgvector is a PostgreSQL extension")
    from bot.search.postgres import pgvector_available

    assert pgvector_available(session) in (True, False)  # absent here: numpy fallback in use


def test_feedback_expansion_adds_rare_recurring_words(engine, corpus):
    from bot.search.expansion import WEIGHT, feedback_terms
    from bot.search.terms import stem
    from tests.fakes.corpus_index import index_corpus

    index_corpus(engine, corpus)
    question = "Why can TOAST tables get bloated?"
    with Session(engine) as session:
        expansions = feedback_terms(session, question, None)
        assert expansions
        assert all(0 < weight <= WEIGHT for weight in expansions.values())
        assert not {stem(w) for w in expansions} & {stem("toast"), stem("tables")}
        top = search_passages(session, question, feedback=True)[0]
        assert "toast" in top.text.lower()
