"""Brief buttons (👍/👎/ask) and follow-up questions asked in a brief's thread."""

from __future__ import annotations

import asyncio
import logging
import re

import discord
from sqlmodel import Session

from bot.core.errors import PodbriefError
from bot.delivery.followups import insight_episodes
from handlers.chat.parser import parse, strip_prefix
from handlers.chat.replies import CommandRequest, Line, Reply
from handlers.discord_bot import limits
from handlers.discord_bot.buttons import insight_ids_in
from handlers.discord_bot.context import BotContext, sorry
from handlers.discord_bot.render import render_reply
from handlers.discord_bot.threads import BriefThreads

log = logging.getLogger(__name__)

THANKS = {1: "Got it — more like this.", -1: "Got it — less like this."}
GONE = "This brief's channel no longer gets podbrief briefs, so feedback can't be kept."
MENTION = re.compile(r"<@!?[0-9]+>")


def message_text(content: str) -> str:
    """A chat message as a command line: a well-formed command as is, else ``ask …``."""
    text = strip_prefix(MENTION.sub("", content))
    if not text:
        return "help"
    try:
        parse(text)
    except PodbriefError:
        return f"ask {text}"
    return text


class QuestionModal(discord.ui.Modal, title="Ask about this episode"):
    """The question box opened by an item's ask button."""

    question: discord.ui.TextInput = discord.ui.TextInput(
        label="Your question", style=discord.TextStyle.paragraph, max_length=1000
    )

    def __init__(self, actions: BriefButtons, insight_id: int) -> None:
        super().__init__(timeout=900)
        self._actions = actions
        self._insight_id = insight_id

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self._actions.answer_question(interaction, self._insight_id, self.question.value)


class BriefButtons:
    """Implements ``buttons.BriefActions`` and thread follow-ups."""

    def __init__(self, context: BotContext, threads: BriefThreads) -> None:
        self._context = context
        self._threads = threads

    async def feedback(self, interaction: discord.Interaction, insight_id: int, value: int) -> None:
        """Record the clicking user's 👍/👎 for this channel and thank them privately."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        dm_user = str(interaction.user.id) if interaction.guild_id is None else None
        reply = await asyncio.to_thread(
            self._record, str(interaction.channel_id), dm_user, insight_id, interaction.user, value
        )
        await interaction.followup.send(**render_reply(reply), ephemeral=True)

    async def ask_about(self, interaction: discord.Interaction, insight_id: int) -> None:
        """Open the question modal (the modal is the immediate response)."""
        await interaction.response.send_modal(QuestionModal(self, insight_id))

    async def answer_question(
        self, interaction: discord.Interaction, insight_id: int, question: str
    ) -> None:
        """Answer from the item's episode in the brief's thread (opened on first use)."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        found = await asyncio.to_thread(
            insight_episodes, self._context.services.engine, [insight_id]
        )
        episode_id, title = found.get(insight_id, (None, ""))
        reply = await self._context.run(self._request(interaction, question, episode_id))
        thread = await self._thread_for(interaction.message, insight_id, title)
        if thread is not None:
            try:
                await thread.send(**render_reply(reply))
            except discord.HTTPException as exc:  # e.g. no permission to post in threads
                log.warning("could not answer in the brief's thread: %s", exc)
            else:
                note = Reply(lines=[Line(f"Answered in {thread.mention}.")])
                await interaction.followup.send(**render_reply(note), ephemeral=True)
                return
        await interaction.followup.send(**render_reply(reply), ephemeral=True)

    async def answer_message(self, message: discord.Message) -> bool:
        """Answer a message in a brief's thread or a DM with the bot; False when not for us.

        A well-formed command runs as typed ("summary 7"); anything else is a question, which
        in a brief's thread is answered from that brief's episode.
        """
        if message.author.bot or not message.content.strip():
            return False
        is_dm = message.guild is None
        thread = None if is_dm else await self._threads.context(message.channel)
        if thread is None and not is_dm:
            return False
        request = CommandRequest(
            platform="discord",
            team_id="" if is_dm else str(message.guild.id),  # type: ignore[union-attr]
            channel_ref=str(thread.parent_id if thread else message.channel.id),
            user_id=str(message.author.id),
            text=message_text(message.content),
            is_admin=is_dm,  # in a guild thread, changes need the slash command's checks
            is_dm=is_dm,
            episode_id=thread.episode_id if thread else None,
        )
        async with message.channel.typing():
            reply = await self._context.run(request)
        await message.channel.send(**render_reply(reply), reference=message, mention_author=False)
        return True

    def _request(
        self, interaction: discord.Interaction, question: str, episode_id: int | None
    ) -> CommandRequest:
        return CommandRequest(
            platform="discord",
            team_id=str(interaction.guild_id or ""),
            channel_ref=str(interaction.channel_id),
            user_id=str(interaction.user.id),
            text=f"ask {question.strip()}",
            is_admin=False,
            is_dm=interaction.guild_id is None,
            episode_id=episode_id,
        )

    async def _thread_for(
        self, message: discord.Message | None, insight_id: int, title: str
    ) -> discord.abc.Messageable | None:
        """The brief message's thread, opened now if needed; None where threads are impossible."""
        if message is None or message.guild is None:
            return None
        if message.thread is not None:
            return message.thread
        rank = _rank_of(message, insight_id)
        name = limits.clip(f"#{rank} {title}".strip() if rank else title or "podbrief", 100)
        try:
            return await message.create_thread(name=name)
        except discord.HTTPException as exc:
            log.warning("could not open a thread on the brief: %s", exc)
            return None

    def _record(
        self,
        channel_ref: str,
        dm_user: str | None,
        insight_id: int,
        user: discord.abc.User,
        value: int,
    ) -> Reply:
        channel = self._context.find_channel(channel_ref=channel_ref, dm_user_id=dm_user)
        if channel is None or channel.status == "gone":
            return sorry(GONE)
        try:
            with Session(self._context.services.engine, expire_on_commit=False) as session:
                self._context.record_feedback(
                    session, session.merge(channel), insight_id, str(user.id), value
                )
                session.commit()
        except PodbriefError as exc:
            return sorry(str(exc))  # e.g. an insight pruned since the brief went out
        except Exception:
            log.exception("feedback on insight %s failed", insight_id)
            return sorry()
        return Reply(lines=[Line(THANKS[value])])


def _rank_of(message: discord.Message, insight_id: int) -> int | None:
    ids = insight_ids_in(message.components)
    return ids.index(insight_id) + 1 if insight_id in ids else None
