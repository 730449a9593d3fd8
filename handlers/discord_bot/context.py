"""What the Discord adapter needs from the core, passed through the client's constructor."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import discord
from sqlmodel import Session, or_, select

from bot.briefs.feedback import record_feedback
from bot.core.models import Channel
from bot.core.services import Services
from handlers.chat import router
from handlers.chat.replies import CommandRequest, Line, Reply

log = logging.getLogger(__name__)

Dispatch = Callable[[Services, CommandRequest], Reply]
RecordFeedback = Callable[[Session, Channel, int, str, int], Any]

SORRY = "Sorry, something went wrong on our side. Please try again in a minute."


def sorry(text: str = SORRY) -> Reply:
    """A polite one-line error reply."""
    return Reply(lines=[Line(text)], error=True)


def is_admin(interaction: discord.Interaction) -> bool:
    """Manage Channels in a guild channel; anyone in a DM with the bot."""
    if interaction.guild_id is None:
        return True
    return interaction.permissions.manage_channels


@dataclass
class BotContext:
    """The core services and the functions the adapter calls into."""

    services: Services
    dispatch: Dispatch = router.dispatch
    record_feedback: RecordFeedback = record_feedback
    _pool: ThreadPoolExecutor | None = field(default=None, repr=False)

    @property
    def pool(self) -> ThreadPoolExecutor:
        """Threads for the (synchronous, possibly slow) core, apart from asyncio's default pool.

        aiohttp resolves hosts in the default pool: slow answers queued there would delay the
        next interaction's defer past Discord's 3 seconds.
        """
        if self._pool is None:
            workers = self.services.settings.discord_workers
            self._pool = ThreadPoolExecutor(workers, thread_name_prefix="podbrief-discord")
        return self._pool

    def close(self) -> None:
        """Let running commands finish in the background; take no new ones."""
        if self._pool is not None:
            self._pool.shutdown(wait=False)

    async def run(self, request: CommandRequest) -> Reply:
        """Dispatch in a worker thread (the core is synchronous); failures become a polite reply."""
        loop = asyncio.get_running_loop()
        try:
            call = functools.partial(self.dispatch, self.services, request)
            return await loop.run_in_executor(self.pool, call)
        except Exception:
            log.exception("command failed: %s", request.text.split(" ", 1)[0])
            return sorry()

    def find_channel(self, *, channel_ref: str, dm_user_id: str | None = None) -> Channel | None:
        """The Channel row a brief was posted to (a guild channel, or this user's DM brief)."""
        matches = [Channel.channel_ref == channel_ref]
        if dm_user_id:
            matches.append(Channel.user_id == dm_user_id)
        with Session(self.services.engine) as session:
            query = select(Channel).where(Channel.platform == "discord", or_(*matches))
            rows = list(session.exec(query))
        exact = [c for c in rows if c.channel_ref == channel_ref]
        return (exact or rows or [None])[0]
