"""Which publishers this process posts briefs with, chosen from the tokens that are set."""

from __future__ import annotations

from bot.config import Settings
from bot.ports import Publisher


def build_publishers(settings: Settings) -> dict[str, Publisher]:
    """Slack with SLACK_BOT_TOKEN, Discord with DISCORD_TOKEN; the console always."""
    from handlers.console_publisher import ConsolePublisher

    publishers: dict[str, Publisher] = {"console": ConsolePublisher()}
    if settings.slack_bot_token:
        from handlers.slack_app.publisher import SlackPublisher

        publishers["slack"] = SlackPublisher.from_settings(settings)
    if settings.discord_token:
        from handlers.discord_bot.publisher import DiscordPublisher

        publishers["discord"] = DiscordPublisher.from_settings(settings)
    return publishers
