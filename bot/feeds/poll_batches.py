"""Unchanged feeds of one poll, recorded together: one transaction for up to a batch of them.

A poll of quiet feeds is mostly 304s; a transaction each cost more than the requests. A batch
is written when it is full, or when no feed is being fetched that could still join it (so the
last feeds of a poll never wait for company), never after a sleep.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Generic, TypeVar

from bot.feeds.polling_state import Unchanged

BATCH = 200  # unchanged feeds per transaction at most

Outcome = TypeVar("Outcome")


class UnchangedBatches(Generic[Outcome]):
    """Collects unchanged feeds and writes them with ``write`` (one call per batch)."""

    def __init__(self, write: Callable[[list[Unchanged]], Awaitable[list[Outcome]]]) -> None:
        self._write = write
        self._waiting: list[tuple[Unchanged, asyncio.Future[Outcome]]] = []
        self._fetching = 0
        self._flusher: asyncio.Task | None = None

    @contextlib.asynccontextmanager
    async def fetching(self) -> AsyncIterator[None]:
        """Mark a feed as being fetched: it may yet join the waiting batch."""
        self._fetching += 1
        try:
            yield
        finally:
            self._fetching -= 1
            self._maybe_flush()

    async def record(self, unchanged: Unchanged) -> Outcome:
        """This feed's outcome, once its batch is written (its exception if the write failed)."""
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._waiting.append((unchanged, future))
        self._maybe_flush()
        return await future

    def _ready(self) -> bool:
        return len(self._waiting) >= BATCH or bool(self._waiting and not self._fetching)

    def _maybe_flush(self) -> None:
        if self._ready() and (self._flusher is None or self._flusher.done()):
            self._flusher = asyncio.create_task(self._flush())

    async def _flush(self) -> None:
        while self._ready():
            batch = self._waiting[:BATCH]
            del self._waiting[:BATCH]
            try:
                outcomes = await self._write([u for u, _ in batch])
            except Exception as exc:  # each feed's poll records its own failure
                for _, future in batch:
                    future.set_exception(exc)
                continue
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                future.set_result(outcome)
