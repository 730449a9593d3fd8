"""The ``podbrief`` command line: the typer app with every command group registered."""

from __future__ import annotations

import logging
import sys

import typer

from bot.core.config import Settings
from handlers.cli import root

log = logging.getLogger(__name__)


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
        ctx.obj = root.Runtime(settings=settings)

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
    """Console-script entry point: a start-up fault is one line on stderr and exit status 2."""
    from bot.core.errors import StartupError

    try:
        build_app()()
    except StartupError as exc:  # commands catch their own; this is the last net
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
