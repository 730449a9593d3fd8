"""The one composition root: settings → engine → services, providers and publishers.

Only this module imports ``bot.providers``; everything else receives what it builds. The paid
providers' SDKs are imported on first use, so ``podbrief --help`` stays quick.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import typer
from sqlalchemy.engine import Engine

from bot.core import db
from bot.core.config import Settings
from bot.core.errors import StartupError
from bot.core.ports import Publisher
from bot.core.services import Services
from bot.insights.extractive import build_insight_engine
from handlers.console.publisher import ConsolePublisher

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Lazily built settings, engine and services for one CLI invocation."""

    settings: Settings
    _engine: Engine | None = field(default=None, repr=False)
    _services: Services | None = field(default=None, repr=False)

    def engine(self) -> Engine:
        """The database engine, reached and migrated on first use (unless AUTO_MIGRATE=false).

        A database that cannot be opened ends the command with one line and exit status 2.
        """
        if self._engine is None:
            if "database_url" not in self.settings.model_fields_set:  # the default file
                _note_new_sqlite_file(self.settings.database_url)
            try:
                self._engine = db.open_database(
                    self.settings.database_url, migrate=self.settings.auto_migrate
                )
            except StartupError as exc:
                typer.echo(f"error: {exc}", err=True)
                raise typer.Exit(2) from None
        return self._engine

    def services(self) -> Services:
        if self._services is None:
            self._services = build_services(self.settings, self.engine())
        return self._services


def _note_new_sqlite_file(url: str) -> None:
    """Say so when a command is about to start an empty SQLite database (a forgotten --db)."""
    if not url.startswith("sqlite:///") or url == "sqlite:///:memory:":
        return
    path = Path(url.removeprefix("sqlite:///"))
    if not path.exists() and path.parent.is_dir():
        typer.echo(
            f"note: starting a new, empty database {path} (set DATABASE_URL to use another, "
            "e.g. DATABASE_URL=sqlite:///demo.db after `podbrief demo --db demo.db`)",
            err=True,
        )


def runtime(ctx: typer.Context) -> Runtime:
    """The Runtime attached to the root context."""
    return ctx.find_root().obj


def build_services(settings: Settings, engine: Engine) -> Services:
    """Wire the embedded defaults, replaced by real services when their keys are set."""
    from bot.providers.factory import build_providers

    offline = build_insight_engine(settings)
    paid = build_providers(settings, engine, offline)
    services = Services(
        settings=settings,
        engine=engine,
        insight_engine=paid.insight_engine or offline,
        transcriber=paid.transcriber,
        answer_writer=paid.answer_writer,
        embedder=paid.embedder,
    )
    services.publishers = build_publishers(settings, slack_token_lookup(services))
    return services


def build_publishers(
    settings: Settings, slack_token_for: Callable[[str], str | None] | None = None
) -> dict[str, Publisher]:
    """Slack with SLACK_BOT_TOKEN (or OAuth per-team tokens), Discord with DISCORD_TOKEN;
    the console always.

    ``slack_token_for(team_id)`` returns a workspace's bot token from the OAuth install store.
    The platform SDKs are imported only when their token is set.
    """
    publishers: dict[str, Publisher] = {"console": ConsolePublisher()}
    if settings.slack_bot_token or slack_token_for is not None:
        from handlers.slack_app.publisher import SlackPublisher

        publishers["slack"] = SlackPublisher.from_settings(settings, token_for=slack_token_for)
    if settings.discord_token:
        from handlers.discord_bot.publisher import DiscordPublisher

        publishers["discord"] = DiscordPublisher.from_settings(settings)
    return publishers


def slack_token_lookup(services: Services) -> Callable[[str], str | None] | None:
    """Per-workspace bot tokens from the OAuth install store (OAuth installs only)."""
    settings = services.settings
    if settings.slack_bot_token or not settings.slack_client_id:
        return None
    from handlers.slack_app.installs import build_installation_store

    store = build_installation_store(services)

    def token_for(team_id: str) -> str | None:
        bot = store.find_bot(enterprise_id=None, team_id=team_id or None)
        return bot.bot_token if bot is not None else None

    return token_for


def provider_lines(settings: Settings, today: date) -> list[str]:
    """Which paid services are on, and warnings about the configured models."""
    from bot.costs.spend import TRANSCRIPTION_OFF
    from bot.providers.factory import llm_configured
    from bot.providers.openai_client import build_openai_client
    from bot.providers.openai_models import model_warnings

    # the same words `status` uses, so the two never seem to disagree
    lines = [TRANSCRIPTION_OFF]
    if settings.assemblyai_api_key:
        lines = [
            f"Transcription: AssemblyAI (TRANSCRIBE={settings.transcribe}, budget "
            f"{settings.transcribe_hours_per_day:g} h/day, "
            f"{settings.transcribe_hours_per_month:g} h/month)"
        ]
    if not llm_configured(settings):
        return [*lines, "LLM: off (extractive engine; set OPENAI_API_KEY or OPENAI_BASE_URL)"]
    where = settings.openai_base_url or "OpenAI"
    lines.append(f"LLM: {settings.openai_model} at {where}; embeddings: {settings.embeddings}")
    warnings = model_warnings(settings, build_openai_client(settings), today)
    return lines + [f"warning: {warning}" for warning in warnings]


def check_models(settings: Settings) -> None:
    """Start-up check of the configured models (logged from a background thread)."""
    from bot.providers.openai_models import check_models_in_background

    check_models_in_background(settings)
