"""Which publishers this process posts briefs with, chosen from the tokens that are set."""

from __future__ import annotations

from collections.abc import Callable

from bot.config import Settings
from bot.ports import Publisher


def build_publishers(
    settings: Settings, slack_token_for: Callable[[str], str | None] | None = None
) -> dict[str, Publisher]:
    """Slack with SLACK_BOT_TOKEN (or OAuth per-team tokens), Discord with DISCORD_TOKEN;
    the console always.

    ``slack_token_for(team_id)`` returns a workspace's bot token from the OAuth install store.
    """
    from handlers.console_publisher import ConsolePublisher

    publishers: dict[str, Publisher] = {"console": ConsolePublisher()}
    if settings.slack_bot_token or slack_token_for is not None:
        from handlers.slack_app.publisher import SlackPublisher

        publishers["slack"] = SlackPublisher.from_settings(settings, token_for=slack_token_for)
    if settings.discord_token:
        from handlers.discord_bot.publisher import DiscordPublisher

        publishers["discord"] = DiscordPublisher.from_settings(settings)
    return publishers
