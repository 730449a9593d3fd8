"""Engine and session factory; Alembic migrations live in ``bot/core/migrations``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlmodel import Session, create_engine

from bot.core.errors import StartupError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def create_db_engine(url: str, **kwargs) -> Engine:
    """Build an engine for SQLite (WAL, foreign keys, busy timeout) or PostgreSQL."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url, pool_pre_ping=True, **kwargs)
    event.listen(engine, "connect", _postgres_settings)
    return engine


def open_database(url: str, *, migrate: bool = True) -> Engine:
    """An engine that is known to work: the URL read, the database reached, migrations applied.

    Every fault is one StartupError sentence saying what to check (a missing folder, PostgreSQL
    not listening, an unknown URL scheme, a failed migration), never a driver traceback.
    """
    shown = _shown_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StartupError(
            f"DATABASE_URL {shown!r} is not a database URL: use sqlite:///path/to/podbrief.db "
            "or postgresql://user:password@host:5432/name"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        _check_sqlite_folder(parsed.database)
    try:
        engine = create_db_engine(url)
    except (NoSuchModuleError, ArgumentError, ImportError):
        raise StartupError(
            f"DATABASE_URL {shown!r} names a database podbrief does not support: "
            "use sqlite:/// or postgresql://"
        ) from None
    _check_connection(engine, shown)
    if migrate:
        try:
            upgrade(engine)
        except Exception as exc:  # any migration failure stops start-up with one sentence
            engine.dispose()
            raise StartupError(
                f"migrating the database at {shown} failed ({_first_line(exc)}); "
                "check that it is podbrief's database and that the user may change its schema"
            ) from None
    return engine


def _check_sqlite_folder(database: str | None) -> None:
    if not database or database == ":memory:":
        return
    folder = Path(database).expanduser().resolve().parent
    if not folder.is_dir():
        raise StartupError(
            f"the folder {folder} for the SQLite database does not exist: create it, "
            "or point DATABASE_URL at an existing folder"
        )


def _check_connection(engine: Engine, shown: str) -> None:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StartupError(
            f"can't reach the database at {shown} ({_first_line(exc)}): check that it is "
            "running and that DATABASE_URL is right"
        ) from None


def _shown_url(url: str) -> str:
    """The URL for messages: the password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("@")[-1]


def _first_line(exc: BaseException) -> str:
    """The driver's own reason without SQLAlchemy's wrapper and background link."""
    inner = getattr(exc, "orig", None) or exc
    lines = str(inner).strip().splitlines()
    return lines[0].strip() if lines else type(inner).__name__


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _postgres_settings(dbapi_conn, _record) -> None:
    # why no JIT: compiling a search's ranking query (high estimated cost, ~20 ms to run) took
    # longer than running it; podbrief's queries are all short
    autocommit = dbapi_conn.autocommit
    dbapi_conn.autocommit = True  # a SET inside a transaction is undone by its rollback
    cursor = dbapi_conn.cursor()
    cursor.execute("SET jit = off")
    cursor.close()
    dbapi_conn.autocommit = autocommit


def alembic_config(engine: Engine) -> Config:
    """An Alembic config bound to ``engine`` (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    url = engine.url.render_as_string(hide_password=False)
    # configparser treats "%" as interpolation: escape URL-encoded passwords and options.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["engine"] = engine
    return config


MIGRATION_LOCK_KEY = 0x706F_6D67  # "pomg": processes starting together migrate one at a time


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` (serialised by an advisory lock on PostgreSQL)."""
    if engine.dialect.name != "postgresql":
        command.upgrade(alembic_config(engine), revision)
        return
    with engine.connect() as lock:
        lock.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
        try:
            command.upgrade(alembic_config(engine), revision)
        finally:
            lock.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_KEY})
            lock.commit()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
