"""Migration 0007: the GIN index on chunk.tsv keeps a short pending list on PostgreSQL (every
search reads it in full), rows waiting in it are found, and the migration goes both ways."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.core import db
from bot.core.models import Episode, Podcast
from bot.search import postgres
from bot.search.index import chunk_row, insert_chunk_rows
from bot.search.terms import query_terms
from tests.conftest import own_pg_schema

WORD = "quillfeather"  # made up: only the chunks below hold it


def _index_options(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        options = conn.execute(
            text("SELECT reloptions FROM pg_class WHERE oid = 'ix_chunk_tsv'::regclass")
        ).scalar_one()
    return list(options or [])


@pytest.fixture
def pg_schema_engine(pg_skip_reason):
    """A schema of its own, migrated to head (its migrations are moved up and down)."""
    if pg_skip_reason:
        pytest.skip(pg_skip_reason)
    with own_pg_schema("t") as engine:
        yield engine


@pytest.mark.postgres
def test_the_pending_list_is_bounded_and_the_migration_goes_both_ways(pg_schema_engine):
    engine = pg_schema_engine
    assert _index_options(engine) == ["gin_pending_list_limit=256"]
    command.downgrade(db.alembic_config(engine), "0006")
    assert _index_options(engine) == []  # back to the server's 4 MB default
    db.upgrade(engine)
    assert _index_options(engine) == ["gin_pending_list_limit=256"]


def test_the_migration_is_a_no_op_on_sqlite(engine):
    command.downgrade(db.alembic_config(engine), "0006")
    db.upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0007"


@pytest.mark.postgres
def test_rows_waiting_in_the_pending_list_are_found_then_merged(pg_schema_engine):
    with Session(pg_schema_engine) as session:
        podcast = Podcast(url="https://pending.example/feed", title="Pending")
        session.add(podcast)
        session.flush()
        episode = Episode(podcast_id=podcast.id, identity="pending:1", title="Pending 1")
        session.add(episode)
        session.flush()
        rows = [
            chunk_row(episode.id, "transcript", f"talk number {n} " + (WORD if n % 3 else "x"))
            for n in range(30)
        ]
        insert_chunk_rows(session, rows)
        session.commit()
        terms = query_terms(f"What about the {WORD}?")
        waiting = postgres.rank_chunks(session, terms, None, limit=50)
        assert len(waiting) == 20  # found while still in the pending list
        assert postgres.merge_pending_entries(session) >= 1
        session.commit()
        assert postgres.merge_pending_entries(session) == 0
        assert postgres.rank_chunks(session, terms, None, limit=50) == waiting
