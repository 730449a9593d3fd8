"""Guild leave/join marks channels gone/active; the runner connects and stops on request."""

from __future__ import annotations

import asyncio
from typing import ClassVar

import discord
import pytest
from pydantic import SecretStr
from sqlmodel import Session, select

from bot.channels.teams import LEFT_REASON, mark_team_gone, reactivate_team
from bot.core.models import Channel
from bot.core.services import Services
from handlers.discord_bot.client import PodbriefBot, build_client
from handlers.discord_bot.runner import run_discord
from tests.discord_bot.conftest import RecordingDispatch, ok_reply


class OfflineGatewayBot(PodbriefBot):
    """The real client with the websocket replaced: tests never open a gateway connection."""

    built: ClassVar[list[OfflineGatewayBot]] = []

    def __init__(self, services: Services, *, message_content: bool | None = None) -> None:
        bot = build_client(services, message_content=message_content)
        super().__init__(bot.context, intents=bot.intents)
        self.connected_once = False
        OfflineGatewayBot.built.append(self)

    async def connect(self, *, reconnect: bool = True) -> None:
        self.connected_once = True
        await asyncio.Event().wait()


class NoContentIntentBot(OfflineGatewayBot):
    """The portal refuses the Message Content intent until the client stops asking for it."""

    async def connect(self, *, reconnect: bool = True) -> None:
        if self.intents.message_content:
            raise discord.PrivilegedIntentsRequired(shard_id=None)
        await super().connect(reconnect=reconnect)


def _statuses(engine) -> dict[str, str]:
    with Session(engine) as session:
        return {c.channel_ref: c.status for c in session.exec(select(Channel))}


def _seed(engine) -> None:
    with Session(engine) as session:
        session.add_all(
            [
                Channel(platform="discord", team_id="111", channel_ref="a"),
                Channel(platform="discord", team_id="111", channel_ref="b"),
                Channel(platform="discord", team_id="222", channel_ref="c"),
                Channel(platform="slack", team_id="111", channel_ref="d"),
                Channel(
                    platform="discord",
                    team_id="111",
                    channel_ref="e",
                    status="gone",
                    status_reason="channel deleted",
                ),
            ]
        )
        session.commit()


def test_team_gone_and_back(any_engine):
    _seed(any_engine)
    with Session(any_engine) as session:
        assert mark_team_gone(session, platform="discord", team_id="111") == 2
    assert _statuses(any_engine) == {
        "a": "gone",
        "b": "gone",
        "c": "active",
        "d": "active",
        "e": "gone",
    }
    with Session(any_engine) as session:
        assert (
            session.exec(select(Channel).where(Channel.channel_ref == "a")).one().status_reason
            == LEFT_REASON
        )
        assert reactivate_team(session, platform="discord", team_id="111") == 2
    # A channel gone for its own reason stays gone.
    assert _statuses(any_engine)["e"] == "gone"
    assert _statuses(any_engine)["a"] == "active"


async def test_leaving_a_guild_through_the_gateway_stops_its_briefs(api, make_bot, services):
    _seed(services.engine)
    bot = await make_bot(RecordingDispatch(api, ok_reply()))
    state = bot._connection
    state._add_guild(state._get_or_create_unavailable_guild(111))  # as GUILD_CREATE would
    state.parse_guild_delete({"id": "111"})  # GUILD_DELETE without "unavailable": we were removed
    for _ in range(200):
        if _statuses(services.engine)["a"] == "gone":
            break
        await asyncio.sleep(0.01)
    assert _statuses(services.engine) == {
        "a": "gone",
        "b": "gone",
        "c": "active",
        "d": "active",
        "e": "gone",
    }


async def test_runner_needs_a_token(services):
    with pytest.raises(ValueError, match="DISCORD_TOKEN"):
        await run_discord(services)


async def test_runner_logs_in_and_stops_when_asked(api, services):
    tuned = services.settings.model_copy(update={"discord_token": SecretStr("fake-token")})
    running = Services(settings=tuned, engine=services.engine)
    stop = asyncio.Event()
    OfflineGatewayBot.built = []
    task = asyncio.create_task(run_discord(running, stop=stop, build=OfflineGatewayBot))
    await api.wait_for(lambda calls: bool(api.matching("GET", "/oauth2/applications/@me")))
    stop.set()
    await asyncio.wait_for(task, timeout=10)
    assert task.done() and task.exception() is None
    [bot] = OfflineGatewayBot.built
    assert bot.connected_once and bot.is_closed()
    assert bot.intents.message_content  # DISCORD_MESSAGE_CONTENT defaults on


async def test_runner_retries_without_message_content_when_the_portal_refuses(api, services):
    tuned = services.settings.model_copy(update={"discord_token": SecretStr("fake-token")})
    running = Services(settings=tuned, engine=services.engine)
    stop = asyncio.Event()
    OfflineGatewayBot.built = []
    task = asyncio.create_task(run_discord(running, stop=stop, build=NoContentIntentBot))
    await api.wait_for(lambda calls: len(OfflineGatewayBot.built) == 2)
    await api.wait_for(lambda calls: OfflineGatewayBot.built[1].connected_once)
    stop.set()
    await asyncio.wait_for(task, timeout=10)
    first, second = OfflineGatewayBot.built
    assert first.is_closed() and first.intents.message_content
    assert not second.intents.message_content and second.is_closed()
