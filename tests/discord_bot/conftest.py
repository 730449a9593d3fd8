"""Discord adapter fixtures: the fake Discord API, a logged-in client, corpus interactions."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.core.services import Services
from handlers.chat.replies import CommandRequest, Line, Reply
from handlers.discord_bot.client import PodbriefBot, build_client
from tests.fakes.discord_api import APP_ID, FakeDiscordAPI


class RecordingDispatch:
    """A stand-in for ``handlers.chat.router.dispatch`` that records requests and API state."""

    def __init__(self, api: FakeDiscordAPI, reply: Reply | Callable[[CommandRequest], Reply]):
        self.api = api
        self.reply = reply
        self.requests: list[CommandRequest] = []
        self.calls_seen_at_dispatch: list[int] = []

    def __call__(self, services: Services, request: CommandRequest) -> Reply:
        self.requests.append(request)
        self.calls_seen_at_dispatch.append(len(self.api.matching("POST", "/callback")))
        return self.reply(request) if callable(self.reply) else self.reply


@pytest.fixture
async def api() -> AsyncIterator[FakeDiscordAPI]:
    old_base = discord.http.Route.BASE
    async with FakeDiscordAPI() as fake:
        yield fake
    discord.http.Route.BASE = old_base
    # Every path that posts a message (follow-ups, channel, thread and DM sends) pings nobody.
    for call in sent_messages(fake):
        assert call.json["allowed_mentions"]["parse"] == [], call


@pytest.fixture
def services(settings, engine, api) -> Services:
    tuned = settings.model_copy(update={"discord_api_url": api.base_url})
    return Services(settings=tuned, engine=engine)


@pytest.fixture
async def make_bot(services) -> AsyncIterator[Callable[..., Any]]:
    bots: list[PodbriefBot] = []

    async def make(dispatch: Any = None, **kwargs: Any) -> PodbriefBot:
        if dispatch is not None:
            kwargs["dispatch"] = dispatch
        bot = build_client(services, **kwargs)
        await bot.login("fake-token")  # GET /users/@me + application info, then setup_hook
        bots.append(bot)
        return bot

    yield make
    for bot in bots:
        # No gateway was opened: close the HTTP session and the worker threads.
        await bot.http.close()
        bot.context.close()


@pytest.fixture
def corpus_interaction(corpus) -> Callable[..., dict]:
    """The docs' CHAT_INPUT interaction, re-aimed at ``/podbrief <sub>`` with given options."""
    base = json.loads(
        (
            corpus / "discord/discord-api-docs/APPLICATION_COMMAND_interaction_chat_input.json"
        ).read_text()
    )

    def build(sub: str, options: list[dict] | None = None, **overrides: Any) -> dict:
        payload = copy.deepcopy(base)
        # Fields newer API versions always send that the docs example predates.
        payload.update(application_id=APP_ID, attachment_size_limit=8 * 1024 * 1024, version=1)
        payload["member"].setdefault("flags", 0)
        payload["channel"] = text_channel(payload["channel_id"], payload["guild_id"])
        payload["data"] = {
            "id": "771825006014889984",
            "type": 1,
            "name": "podbrief",
            "options": [{"type": 1, "name": sub, "options": options or []}],
        }
        payload.update(overrides)
        return payload

    return build


def text_channel(channel_id: str, guild_id: str) -> dict:
    """The partial channel object interactions carry (discord.py reads the id from it)."""
    return {
        "id": channel_id,
        "type": 0,
        "guild_id": guild_id,
        "name": "general",
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
    }


def ok_reply(text: str = "Subscribed to open-source AI.", **kwargs: Any) -> Reply:
    return Reply(lines=[Line(text)], **kwargs)


def sent_messages(api: FakeDiscordAPI) -> list:
    """Every recorded call that creates or edits a message."""
    messages = [
        call
        for call in api.calls
        if call.method in ("POST", "PATCH")
        and ("/webhooks/" in call.path or call.path.endswith("/messages"))
    ]
    # Interaction callbacks that carry a message (types 4 and 7) count too.
    callbacks = [c for c in api.matching("POST", "/callback") if c.json.get("type") in (4, 7)]
    return messages + callbacks


def corpus_dir(corpus: Path) -> Path:
    return corpus / "discord"
