"""Which publishers this process posts briefs with, chosen from the tokens that are set."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.core.config import Settings
from bot.core.ports import Publisher
from bot.core.services import Services

log = logging.getLogger(__name__)


def build_publishers(
    settings: Settings, slack_token_for: Callable[[str], str | None] | None = None
) -> dict[str, Publisher]:
    """Slack with SLACK_BOT_TOKEN (or OAuth per-team tokens), Discord with DISCORD_TOKEN;
    the console always.

    ``slack_token_for(team_id)`` returns a workspace's bot token from the OAuth install store.
    """
    from handlers.console.publisher import ConsolePublisher

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
    try:
        from handlers.slack_app.installs import build_installation_store
    except ImportError:
        log.error("SLACK_CLIENT_ID is set but the Slack OAuth install store is not installed")
        return None
    store = build_installation_store(services)

    def token_for(team_id: str) -> str | None:
        bot = store.find_bot(enterprise_id=None, team_id=team_id or None)
        return bot.bot_token if bot is not None else None

    return token_for
