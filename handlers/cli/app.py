"""The ``podbrief`` command line and the one composition root."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import typer
from sqlalchemy.engine import Engine

from bot.core import db
from bot.core.config import Settings
from bot.core.services import Services

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Lazily built settings, engine and services for one CLI invocation."""

    settings: Settings
    _engine: Engine | None = field(default=None, repr=False)
    _services: Services | None = field(default=None, repr=False)

    def engine(self) -> Engine:
        """The database engine, migrated to head on first use (unless AUTO_MIGRATE=false)."""
        if self._engine is None:
            self._engine = db.create_db_engine(self.settings.database_url)
            if self.settings.auto_migrate:
                db.upgrade(self._engine)
        return self._engine

    def services(self) -> Services:
        if self._services is None:
            self._services = build_services(self.settings, self.engine())
        return self._services


def build_services(settings: Settings, engine: Engine) -> Services:
    """Wire the embedded defaults, replaced by real services when their keys are set."""
    from bot.insights.extractive import build_insight_engine
    from bot.providers.factory import build_providers

    offline = build_insight_engine(settings)
    paid = build_providers(settings, engine, offline)
    return Services(
        settings=settings,
        engine=engine,
        insight_engine=paid.insight_engine or offline,
        transcriber=paid.transcriber,
        answer_writer=paid.answer_writer,
        embedder=paid.embedder,
    )


def runtime(ctx: typer.Context) -> Runtime:
    """The Runtime attached to the root context."""
    return ctx.find_root().obj


# Third-party loggers whose INFO lines are chatter for a podbrief user (Alembic's
# "Context impl SQLiteImpl", one httpx line per request); shown again at LOG_LEVEL=DEBUG.
CHATTY_LOGGERS = ("alembic", "httpx", "httpcore", "apscheduler", "urllib3")


def configure_logging(level: str) -> None:
    """Log to stderr at LOG_LEVEL, keeping third-party chatter at WARNING unless DEBUG."""
    level = level.upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    quiet = logging.DEBUG if level == "DEBUG" else logging.WARNING
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(max(quiet, logging.getLevelName(level)))


def build_app() -> typer.Typer:
    """The typer application with every command group registered."""
    from handlers.cli import ask as cli_ask
    from handlers.cli import brief as cli_brief
    from handlers.cli import chat as cli_chat
    from handlers.cli import db as cli_db
    from handlers.cli import demo as cli_demo
    from handlers.cli import discord_sync as cli_discord
    from handlers.cli import episodes as cli_episodes
    from handlers.cli import feeds as cli_feeds
    from handlers.cli import run as cli_run
    from handlers.cli import usage as cli_usage

    app = typer.Typer(
        name="podbrief",
        help="Podcast intelligence for team chat: daily insight briefs and cited answers.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def _root(ctx: typer.Context) -> None:
        settings = Settings()
        configure_logging(settings.log_level)
        ctx.obj = Runtime(settings=settings)

    for module in (
        cli_db,
        cli_feeds,
        cli_episodes,
        cli_brief,
        cli_ask,
        cli_demo,
        cli_chat,
        cli_discord,
        cli_run,
        cli_usage,
    ):
        module.register(app)
    return app


def main() -> None:
    """Console-script entry point."""
    build_app()()
