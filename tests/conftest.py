"""Shared fixtures: databases (SQLite always, PostgreSQL when reachable) and the corpus."""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.core import db
from bot.core.config import Settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
TEST_SAMPLES = ROOT / "tests" / "samples"  # our own small transcripts and feeds
PG_ADMIN_URL = os.environ.get(
    "PODBRIEF_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _pg_reason() -> str | None:
    """None when PostgreSQL answers, else why the PostgreSQL tests are skipped."""
    try:
        engine = db.create_db_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 2})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure means "not reachable here"
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}"


@pytest.fixture(scope="session")
def pg_skip_reason() -> str | None:
    return _pg_reason()


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared real-world corpus; tests using it skip where ../shared is absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS} (only present in the dev workspace)")
    return CORPUS


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file migrated once per run; each test gets a copy (migrating is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "podbrief.db"
    engine = db.create_db_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()
    return path


def _sqlite_engine(template: Path, tmp_path: Path) -> Engine:
    target = tmp_path / "podbrief.db"
    shutil.copyfile(template, target)
    return db.create_db_engine(f"sqlite:///{target}")


def _pg_engine(schema: str) -> Engine:
    return db.create_db_engine(PG_ADMIN_URL, connect_args={"options": f"-csearch_path={schema}"})


def _migrated_pg_engine(schema: str) -> Engine:
    """A new schema of its own, migrated (for tests whose other processes need one)."""
    admin = db.create_db_engine(PG_ADMIN_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    engine = _pg_engine(schema)
    db.upgrade(engine)
    return engine


@pytest.fixture(scope="session")
def _pg_schema(pg_skip_reason) -> Iterator[str | None]:
    """One PostgreSQL schema per run, migrated once; tests start from emptied tables."""
    if pg_skip_reason:
        yield None
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    _migrated_pg_engine(schema).dispose()
    try:
        yield schema
    finally:
        _drop_pg_schema(schema)


def _empty_pg_tables(engine: Engine) -> None:
    """Every table in the test schema emptied, ids restarted; the schema itself is kept."""
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL lock_timeout = '20s'"))
        tables = conn.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename <> 'alembic_version'"
            )
        ).scalars()
        names = ", ".join(f'"{name}"' for name in tables)
        if names:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


def _drop_pg_schema(schema: str) -> None:
    admin = db.create_db_engine(PG_ADMIN_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@contextlib.contextmanager
def own_pg_schema(prefix: str) -> Iterator[Engine]:
    """An engine on a new PostgreSQL schema migrated to head, dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    engine = _migrated_pg_engine(schema)
    try:
        yield engine
    finally:
        engine.dispose()
        _drop_pg_schema(schema)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_engine(request, tmp_path, pg_skip_reason, _sqlite_template) -> Iterator[Engine]:
    """A migrated, empty database: SQLite always, PostgreSQL when reachable."""
    if request.param == "sqlite":
        engine = _sqlite_engine(_sqlite_template, tmp_path)
        yield engine
        engine.dispose()
        return
    if pg_skip_reason:
        pytest.skip(pg_skip_reason)
    engine = _pg_engine(request.getfixturevalue("_pg_schema"))
    _empty_pg_tables(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def module_engine(request, tmp_path_factory, pg_skip_reason, _sqlite_template) -> Iterator[Engine]:
    """A migrated database shared by one module's read-only tests (built once: loading a real
    library is the slow part). SQLite always, PostgreSQL (a schema of its own) when reachable."""
    if request.param == "sqlite":
        engine = _sqlite_engine(_sqlite_template, tmp_path_factory.mktemp("module"))
        yield engine
        engine.dispose()
        return
    if pg_skip_reason:
        pytest.skip(pg_skip_reason)
    with own_pg_schema("m") as engine:
        yield engine


@pytest.fixture
def engine(tmp_path, _sqlite_template) -> Iterator[Engine]:
    """A migrated, empty SQLite database."""
    engine = _sqlite_engine(_sqlite_template, tmp_path)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Settings isolated from the developer's environment and .env file."""
    return Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'podbrief.db'}")
