"""The podbrief Discord client: built by a factory, dependencies through the constructor.

Follows discord.py's ``examples/advanced_startup.py``: no import-time objects, async setup in
``setup_hook``. Mentions are disabled on the client and again on every send.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import discord
from discord import app_commands
from sqlmodel import Session

from bot.channels.teams import mark_team_gone, reactivate_team
from bot.core.services import Services
from handlers.discord_bot.actions import BriefButtons
from handlers.discord_bot.buttons import AskButton, FeedbackButton
from handlers.discord_bot.context import (
    BotContext,
    Dispatch,
    RecordFeedback,
)
from handlers.discord_bot.interactions import SlashCommands
from handlers.discord_bot.render import no_mentions
from handlers.discord_bot.threads import BriefThreads
from handlers.discord_bot.tree import build_group

log = logging.getLogger(__name__)


def use_api_url(url: str | None) -> None:
    """Point discord.py's HTTP routes at ``url`` (a local fake in tests); None keeps Discord's."""
    if url:
        discord.http.Route.BASE = url.rstrip("/")


def intents(*, message_content: bool) -> discord.Intents:
    """Guilds (join/leave, threads) and messages; message content reads thread questions."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.dm_messages = True
    wanted.message_content = message_content  # privileged: enable it in the developer portal
    return wanted


class PodbriefBot(discord.Client):
    """Slash commands, brief buttons, thread follow-ups and guild lifecycle."""

    def __init__(
        self, context: BotContext, *, intents: discord.Intents, application_id: int | None = None
    ) -> None:
        super().__init__(
            intents=intents, allowed_mentions=no_mentions(), application_id=application_id
        )
        self.context = context
        self.tree = app_commands.CommandTree(self)
        self.threads = BriefThreads(self, context.services.engine)
        self.commands = SlashCommands(context, self.threads)
        self.actions = BriefButtons(context, self.threads)
        self.tree.on_error = self.commands.on_error  # type: ignore[method-assign]

    async def setup_hook(self) -> None:
        """Register the command group and the persistent buttons before connecting."""
        self.tree.add_command(build_group(self.commands))
        self.add_dynamic_items(FeedbackButton, AskButton)

    async def close(self) -> None:
        """Disconnect, then release the core's worker threads."""
        await super().close()
        self.context.close()

    async def on_ready(self) -> None:
        log.info("discord connected as %s to %d guilds", self.user, len(self.guilds))

    async def on_guild_join(self, guild: discord.Guild) -> None:
        """Rejoining a guild brings back the channels that stopped when the bot left."""
        count = await asyncio.to_thread(self._team_change, reactivate_team, guild.id)
        log.info("joined guild %s (%d channels back)", guild.id, count)

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Leaving a guild stops its briefs: its channels are marked gone."""
        await asyncio.to_thread(self._team_change, mark_team_gone, guild.id)

    async def on_message(self, message: discord.Message) -> None:
        """Questions in a brief's thread (from its episode) and in DMs get answers."""
        try:
            await self.actions.answer_message(message)
        except discord.HTTPException:
            log.exception("could not answer in thread %s", message.channel.id)

    def _team_change(self, change: Callable[..., int], guild_id: int) -> int:
        with Session(self.context.services.engine) as session:
            return change(session, platform="discord", team_id=str(guild_id))


def build_client(
    services: Services,
    *,
    dispatch: Dispatch | None = None,
    record_feedback: RecordFeedback | None = None,
    message_content: bool | None = None,
) -> PodbriefBot:
    """A ready-to-start client for ``services`` (DISCORD_API_URL honoured)."""
    settings = services.settings
    use_api_url(settings.discord_api_url)
    context = BotContext(services)
    if dispatch is not None:
        context.dispatch = dispatch
    if record_feedback is not None:
        context.record_feedback = record_feedback
    content = settings.discord_message_content if message_content is None else message_content
    app_id = int(settings.discord_application_id) if settings.discord_application_id else None
    return PodbriefBot(context, intents=intents(message_content=content), application_id=app_id)
