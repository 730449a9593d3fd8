"""Storage: migrations apply on SQLite and PostgreSQL; URLs are normalised."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from bot.core import db
from bot.core.config import normalise_database_url
from tests.conftest import PG_ADMIN_URL

EXPECTED_TABLES = {
    "podcast",
    "episode",
    "segment",
    "chunk",
    "insight",
    "episode_summary",
    "channel",
    "subscription",
    "delivery",
    "delivery_item",
    "feedback",
    "usage",
}


def test_migrations_create_every_table(any_engine):
    tables = set(inspect(any_engine).get_table_names())
    assert tables >= EXPECTED_TABLES


def test_heroku_postgres_url_is_accepted():
    assert normalise_database_url("postgres://u:p@h:5432/d") == "postgresql+psycopg://u:p@h:5432/d"
    assert normalise_database_url("postgresql://h/d") == "postgresql+psycopg://h/d"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_open_database_turns_every_fault_into_one_sentence(tmp_path, monkeypatch):
    import socket

    import pytest

    from bot.core import db
    from bot.core.errors import StartupError

    with socket.socket() as probe:  # a port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cases = {
        f"sqlite:///{tmp_path}/missing/x.db": "folder",
        f"postgresql+psycopg://u:secret@127.0.0.1:{port}/db": "can't reach the database",
        "mysql2://h/d": "does not support",
        "not a url": "is not a database URL",
    }
    for url, words in cases.items():
        with pytest.raises(StartupError) as fault:
            db.open_database(url)
        message = str(fault.value)
        assert words in message and "\n" not in message, message
        assert "secret" not in message  # passwords never shown

    def broken_upgrade(engine, revision="head"):
        raise RuntimeError("Can't locate revision identified by '9999'")

    monkeypatch.setattr(db, "upgrade", broken_upgrade)
    with pytest.raises(StartupError, match=r"migrating the database .* failed .*9999"):
        db.open_database(f"sqlite:///{tmp_path / 'ok.db'}")


def test_postgres_connections_run_without_jit_through_commits_and_rollbacks(pg_skip_reason):
    # compiling the search ranking query took longer than running it
    if pg_skip_reason:
        pytest.skip(pg_skip_reason)
    engine = db.create_db_engine(PG_ADMIN_URL)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SHOW jit")).scalar_one() == "off"
            conn.rollback()
            assert conn.execute(text("SHOW jit")).scalar_one() == "off"
    finally:
        engine.dispose()
