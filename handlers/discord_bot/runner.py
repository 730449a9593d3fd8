"""``run_discord``: the gateway client next to Slack and the scheduler in ``podbrief run``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import discord

from bot.core.errors import StartupError
from bot.core.services import Services
from handlers.discord_bot.client import PodbriefBot, build_client

log = logging.getLogger(__name__)


BuildClient = Callable[..., PodbriefBot]


async def run_discord(
    services: Services, *, stop: asyncio.Event | None = None, build: BuildClient = build_client
) -> None:
    """Connect with DISCORD_TOKEN and serve until ``stop`` is set (or the client closes).

    ``build(services, message_content=…)`` makes the client (tests pass an offline one).
    """
    token = services.settings.discord_token
    if token is None or not token.get_secret_value():
        raise ValueError("DISCORD_TOKEN is not set")
    bot = build(services, message_content=None)
    try:
        await _serve(bot, token.get_secret_value(), stop)
    except discord.LoginFailure:
        raise StartupError(
            "Discord rejected DISCORD_TOKEN (login failed): copy the bot token again from the "
            "Bot page of your application in the Discord developer portal"
        ) from None
    except discord.PrivilegedIntentsRequired:
        # The portal has "Message Content" off: keep slash commands and buttons working.
        log.warning(
            "Message Content intent not enabled for this bot: thread questions need "
            "/podbrief ask; set DISCORD_MESSAGE_CONTENT=false to silence this"
        )
        await bot.close()
        bot = build(services, message_content=False)
        await _serve(bot, token.get_secret_value(), stop)


async def _serve(bot: PodbriefBot, token: str, stop: asyncio.Event | None) -> None:
    async with bot:
        runner = asyncio.create_task(bot.start(token), name="discord-gateway")
        waiter = asyncio.create_task(stop.wait() if stop else asyncio.Event().wait())
        done, _ = await asyncio.wait({runner, waiter}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if runner in done:
            runner.result()  # re-raise a login or gateway failure
            return
        await bot.close()  # graceful: closes the websocket and the HTTP session
        runner.cancel()  # the gateway loop may be sleeping in a reconnect backoff
        # Whatever the loop raises on the way out is moot now.
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await runner
        log.info("discord client stopped")
