"""Guild leave/join marks channels gone/active; the runner connects and stops on request."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import SecretStr
from sqlmodel import Session, select

from bot.models import Channel
from bot.services import Services
from bot.teams import LEFT_REASON, mark_team_gone, reactivate_team
from handlers.discord_bot.client import PodbriefBot, build_client
from handlers.discord_bot.runner import run_discord
from tests.discord_bot.conftest import RecordingDispatch, ok_reply


class OfflineGatewayBot(PodbriefBot):
    """The real client with the websocket replaced: tests never open a gateway connection."""

    def __init__(self, services: Services) -> None:
        bot = build_client(services)
        super().__init__(bot.context, intents=bot.intents)
        self.connected_once = False

    async def connect(self, *, reconnect: bool = True) -> None:
        self.connected_once = True
        await asyncio.Event().wait()


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
    bot = OfflineGatewayBot(running)
    task = asyncio.create_task(run_discord(running, stop=stop, client=bot))
    await api.wait_for(lambda calls: bool(api.matching("GET", "/oauth2/applications/@me")))
    stop.set()
    await asyncio.wait_for(task, timeout=10)
    assert task.done() and task.exception() is None
    assert bot.connected_once and bot.is_closed()
