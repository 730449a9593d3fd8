"""Storage: migrations apply on SQLite and PostgreSQL; URLs are normalised."""

from __future__ import annotations

from sqlalchemy import inspect

from bot.core.config import normalise_database_url

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
