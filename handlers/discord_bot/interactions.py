"""Slash-command invocations: defer first, dispatch in a worker thread, answer with a follow-up."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
from discord import app_commands
from sqlmodel import Session

from bot.channels.suggestions import podcast_suggestions, topic_suggestions
from handlers.chat.commands import Command
from handlers.chat.replies import CommandRequest, Line, Reply
from handlers.discord_bot.context import BotContext, is_admin, sorry
from handlers.discord_bot.render import no_mentions, render_reply
from handlers.discord_bot.threads import BriefThreads, thread_parent
from handlers.discord_bot.tree import request_text

log = logging.getLogger(__name__)

NEEDS_ADMIN = "You need the Manage Channels permission to change this channel's podbrief."
PERSONAL_HINT = " Use the `me` option to change your personal brief instead."
DM_WELCOME = "Hi! Your personal podbrief will arrive here in this DM."
DM_BLOCKED = "I couldn't DM you: allow direct messages from server members to get your brief."


class SlashCommands:
    """The router behind the ``/podbrief`` group (see ``tree.CommandRouter``)."""

    def __init__(self, context: BotContext, threads: BriefThreads) -> None:
        self._context = context
        self._threads = threads

    async def invoke(
        self, interaction: discord.Interaction, command: Command, values: dict[str, Any]
    ) -> None:
        """Defer within Discord's 3 seconds, then run the command and send its reply."""
        public = likely_public(command, values, interaction)
        await interaction.response.defer(ephemeral=not public, thinking=True)
        reply = await self._reply(interaction, command, values)
        personal_in_guild = values.get("me") and interaction.guild_id is not None
        if command.name == "subscribe" and personal_in_guild and not reply.error:
            reply.lines.append(Line(await self._welcome_dm(interaction)))
        await send_followup(interaction, reply, deferred_public=public)

    async def complete_topic(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Topics this channel follows, then topics recent insights carry."""
        topics = await asyncio.to_thread(self._topics, str(interaction.channel_id), current)
        return [app_commands.Choice(name=t[:100], value=t[:100]) for t in topics]

    async def complete_podcast(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Followed podcasts by title; the value is the podcast id."""
        podcasts = await asyncio.to_thread(self._podcasts, str(interaction.channel_id), current)
        return [app_commands.Choice(name=name[:100], value=pid) for name, pid in podcasts]

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """The one error handler of the tree: log it, answer politely, never raise."""
        log.error("slash command failed", exc_info=error)
        try:
            await send_followup(interaction, sorry(), deferred_public=False)
        except discord.HTTPException:
            log.warning("could not tell the user about the failure")

    async def _reply(
        self, interaction: discord.Interaction, command: Command, values: dict[str, Any]
    ) -> Reply:
        admin = is_admin(interaction)
        if command.admin_only and not admin and not values.get("me"):
            has_me = any(arg.name == "me" for arg in command.args)
            return sorry(NEEDS_ADMIN + (PERSONAL_HINT if has_me else ""))
        thread = await self._threads.context(interaction.channel)
        channel_ref = str(thread.parent_id if thread else interaction.channel_id)
        request = CommandRequest(
            platform="discord",
            team_id=str(interaction.guild_id or ""),
            channel_ref=channel_ref,
            user_id=str(interaction.user.id),
            text=request_text(command, values),
            is_admin=admin,
            is_dm=interaction.guild_id is None,
            episode_id=thread.episode_id if thread else None,
            channel_name=getattr(interaction.channel, "name", None) or "",
        )
        return await self._context.run(request)

    async def _welcome_dm(self, interaction: discord.Interaction) -> str:
        try:
            await interaction.user.send(DM_WELCOME, allowed_mentions=no_mentions())
        except discord.HTTPException:
            return DM_BLOCKED
        return "Check your DMs: that's where your personal brief will arrive."

    def _topics(self, channel_ref: str, current: str) -> list[str]:
        with Session(self._context.services.engine) as session:
            return topic_suggestions(
                session, platform="discord", channel_ref=channel_ref, prefix=current
            )

    def _podcasts(self, channel_ref: str, current: str) -> list[tuple[str, str]]:
        with Session(self._context.services.engine) as session:
            return podcast_suggestions(
                session, prefix=current, platform="discord", channel_ref=channel_ref
            )


def likely_public(
    command: Command, values: dict[str, Any], interaction: discord.Interaction
) -> bool:
    """Guess the reply's visibility before any work, because the defer fixes it.

    Mirrors the command handlers: a channel's brief is shared, an answer when ``share`` is set
    or it is asked in a (brief's) thread; the rest is private. A wrong guess costs one extra
    call (see ``send_followup``), never a wrongly public reply.
    """
    if command.name == "brief":
        return not values.get("me")
    if command.name == "ask":
        return bool(values.get("share")) or thread_parent(interaction.channel) is not None
    return False


async def send_followup(
    interaction: discord.Interaction, reply: Reply, *, deferred_public: bool
) -> None:
    """Answer a deferred interaction; a reply whose visibility differs replaces the placeholder."""
    ephemeral = reply.error or reply.visibility == "ephemeral"
    if not interaction.response.is_done():
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        deferred_public = not ephemeral
    if deferred_public == (not ephemeral) or interaction.guild_id is None:
        await interaction.followup.send(**render_reply(reply), ephemeral=ephemeral)
        return
    # The first follow-up inherits the placeholder's visibility, so drop it and send anew.
    await interaction.delete_original_response()
    await interaction.followup.send(**render_reply(reply), ephemeral=ephemeral)
