"""Which episode a brief's thread is about, read from the brief message itself.

A brief message carries one ``podbrief:ask:<insight_id>`` button per item, in rank order.
A thread opened by an ask button is named ``#N …``, so item N gives the episode; a thread on a
brief whose items all come from one episode is about that episode. No extra state is stored.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass

import discord
from sqlalchemy.engine import Engine

from bot.delivery.followups import insight_episodes

log = logging.getLogger(__name__)

THREAD_TYPES = (
    discord.ChannelType.public_thread,
    discord.ChannelType.private_thread,
    discord.ChannelType.news_thread,
)
ASK_ID = re.compile(r"podbrief:ask:([0-9]+)")
RANK = re.compile(r"#([0-9]+)\b")


@dataclass(frozen=True)
class ThreadContext:
    """A thread whose starter message is a podbrief brief."""

    parent_id: int
    episode_id: int | None


def thread_parent(channel: object) -> int | None:
    """The parent channel id when ``channel`` is a thread, else None."""
    if getattr(channel, "type", None) in THREAD_TYPES:
        return getattr(channel, "parent_id", None)
    return None


def ask_ids(message: dict) -> list[int]:
    """Insight ids of the ask buttons in a raw message payload, in rank order."""
    ids = []
    for row in message.get("components") or []:
        for component in row.get("components") or []:
            match = ASK_ID.fullmatch(component.get("custom_id") or "")
            if match:
                ids.append(int(match[1]))
    return ids


class BriefThreads:
    """Resolves threads to the brief (and episode) they were opened on."""

    def __init__(self, client: discord.Client, engine: Engine) -> None:
        self._client = client
        self._engine = engine
        self._cache: dict[int, ThreadContext | None] = {}

    async def context(self, channel: object) -> ThreadContext | None:
        """The brief context of ``channel`` if it is a thread on a podbrief brief."""
        parent_id = thread_parent(channel)
        thread_id = getattr(channel, "id", None)
        if parent_id is None or thread_id is None:
            return None
        if thread_id not in self._cache:
            if len(self._cache) > 1024:  # bounded: threads are cheap to resolve again
                self._cache.clear()
            name = getattr(channel, "name", "") or ""
            self._cache[thread_id] = await self._resolve(parent_id, thread_id, name)
        return self._cache[thread_id]

    async def _resolve(self, parent_id: int, thread_id: int, name: str) -> ThreadContext | None:
        try:
            # A thread started from a message has the same id as that message.
            starter = await self._client.http.get_message(parent_id, thread_id)
        except discord.HTTPException:
            return None
        me = self._client.user
        if me is None or str(starter.get("author", {}).get("id")) != str(me.id):
            return None
        ids = ask_ids(dict(starter))
        if not ids:
            return None
        episodes = await asyncio.to_thread(insight_episodes, self._engine, ids)
        return ThreadContext(parent_id, _episode_for(name, ids, episodes))


def _episode_for(name: str, ids: list[int], episodes: dict[int, tuple[int, str]]) -> int | None:
    match = RANK.match(name.strip())
    if match and 1 <= int(match[1]) <= len(ids) and ids[int(match[1]) - 1] in episodes:
        return episodes[ids[int(match[1]) - 1]][0]
    distinct = {episodes[i][0] for i in ids if i in episodes}
    return distinct.pop() if len(distinct) == 1 else None
