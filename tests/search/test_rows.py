"""Chunk rows by id in one statement, and context reranking from the ranking query's places."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.models import Chunk
from bot.search.fulltext import rank_placed
from bot.search.rerank import _places, rerank_with_context
from bot.search.retrieval import build_passages, passage_rows
from bot.search.rows import rows_by_ids
from bot.search.terms import query_terms
from tests.fakes.search_library import build_library

KIND_SQL = "SELECT id, kind FROM chunk WHERE id {ids}"


@pytest.fixture
def library(any_engine: Engine) -> Iterator[Session]:
    with Session(any_engine, expire_on_commit=False) as session:
        build_library(session)
    with Session(any_engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def _statements(session: Session) -> Iterator[list[str]]:
    """The SQL statements ``session`` runs inside the block."""
    seen: list[str] = []

    def record(conn, cursor, statement, *_args) -> None:
        seen.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_rows_by_ids_reads_just_the_listed_chunks_in_one_statement(library):
    session = library
    kinds = dict(session.exec(select(Chunk.id, Chunk.kind)).all())
    ids = sorted(kinds)
    with _statements(session) as seen:
        some = rows_by_ids(session, KIND_SQL, ids[:2])
        every = rows_by_ids(session, KIND_SQL, [*ids, 10**9])  # an unknown id finds nothing
    assert sorted(tuple(row) for row in some) == [(i, kinds[i]) for i in ids[:2]]
    assert dict(tuple(row) for row in every) == kinds
    assert len(seen) == 2
    assert rows_by_ids(session, KIND_SQL, []) == []


def test_context_reranking_is_the_same_from_the_ranking_querys_places(library):
    session = library
    ranked, places = rank_placed(session, query_terms("tomatoes slugs brakes"), None, limit=50)
    assert ranked
    looked_up = _places(session, [chunk_id for chunk_id, _ in ranked])
    if places is not None:  # PostgreSQL: the ranking query read them
        assert places == looked_up
    for kinds, keep in ((None, None), (("transcript",), 2)):
        expected = rerank_with_context(session, ranked, kinds=kinds, keep=keep)
        with _statements(session) as seen:
            given = rerank_with_context(session, ranked, kinds=kinds, keep=keep, places=looked_up)
        assert given == expected
        assert not seen  # the places spare the lookup


def test_passages_are_built_from_rows_already_read_and_read_only_the_rest(library):
    session = library
    terms = query_terms("tomatoes slugs brakes")
    ranked, _ = rank_placed(session, terms, None, limit=50)
    kinds = dict(rows_by_ids(session, KIND_SQL, [chunk_id for chunk_id, _ in ranked]))
    ranked = [pair for pair in ranked if kinds[pair[0]] == "transcript"]  # no summary pins
    assert len(ranked) >= 2
    expected = build_passages(session, ranked, terms)
    read = passage_rows(session, [ranked[0][0]])
    with _statements(session) as seen:
        assert build_passages(session, ranked, terms, read) == expected
    assert len(seen) == 1  # the other passages' rows, in one statement
