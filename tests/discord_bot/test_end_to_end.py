"""Slash commands through the real command layer and database (no injected dispatch)."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.core.models import Channel, Subscription
from tests.discord_bot.conftest import sent_messages


def _followups(api) -> list:
    return [c for c in api.calls if c.method == "POST" and c.path.startswith("/webhooks/")]


async def _invoke(bot, api, payload: dict) -> dict:
    before = len(_followups(api))
    bot._connection.parse_interaction_create(payload)
    await api.wait_for(lambda calls: len(_followups(api)) > before)
    return _followups(api)[-1].json


async def test_subscribe_then_topics_with_the_real_dispatcher(
    api, make_bot, corpus_interaction, services
):
    bot = await make_bot()  # the shared handlers.chat.router.dispatch
    topic = [{"type": 3, "name": "topic", "value": "open-source AI"}]
    reply = await _invoke(bot, api, corpus_interaction("subscribe", topic))
    assert "open-source AI" in reply["embeds"][0]["description"]

    listing = corpus_interaction("topics")
    listing["id"] = "786008729715212339"
    reply = await _invoke(bot, api, listing)
    assert "open-source AI" in str(reply["embeds"][0])
    with Session(services.engine) as session:
        channel = session.exec(select(Channel)).one()
        assert (channel.platform, channel.team_id, channel.channel_ref, channel.name) == (
            "discord",
            "290926798626357999",
            "645027906669510667",
            "general",
        )
        topics = session.exec(select(Subscription.topic)).all()
    assert topics == ["open-source AI"]
    assert sent_messages(api)


async def test_personal_subscription_without_admin_creates_a_dm_brief(
    api, make_bot, corpus_interaction, services
):
    bot = await make_bot()
    options = [
        {"type": 3, "name": "topic", "value": "robotics"},
        {"type": 5, "name": "me", "value": True},
    ]
    payload = corpus_interaction("subscribe", options)
    payload["member"]["permissions"] = "0"
    reply = await _invoke(bot, api, payload)
    assert "Check your DMs" in reply["embeds"][0]["description"]
    with Session(services.engine) as session:
        channel = session.exec(select(Channel)).one()
    assert channel.user_id == "53908232506183680"
