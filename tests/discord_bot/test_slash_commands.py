"""Slash-command interactions from the corpus payloads through the real discord.py pipeline."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session

from bot.core.models import Channel, Podcast, Subscription
from handlers.chat.replies import Reply
from handlers.discord_bot.interactions import NEEDS_ADMIN
from tests.discord_bot.conftest import RecordingDispatch, ok_reply, sent_messages
from tests.fakes.discord_api import FakeDiscordAPI

EPHEMERAL = 64


def _followups(api: FakeDiscordAPI) -> list:
    return [c for c in api.calls if c.method == "POST" and c.path.startswith("/webhooks/")]


async def _invoke(bot, api: FakeDiscordAPI, payload: dict, count: int = 1) -> None:
    bot._connection.parse_interaction_create(payload)
    await api.wait_for(lambda calls: len(_followups(api)) >= count)


async def test_subscribe_defers_then_dispatches_then_follows_up(api, make_bot, corpus_interaction):
    dispatch = RecordingDispatch(api, ok_reply())
    bot = await make_bot(dispatch)
    options = [{"type": 3, "name": "topic", "value": "open-source AI"}]
    await _invoke(bot, api, corpus_interaction("subscribe", options))

    request = dispatch.requests[0]
    assert request.platform == "discord"
    assert request.team_id == "290926798626357999"
    assert request.channel_ref == "645027906669510667"
    assert request.user_id == "53908232506183680"
    assert request.text == "subscribe open-source AI"
    assert request.is_admin is True and request.is_dm is False
    assert dispatch.calls_seen_at_dispatch == [1]  # the defer reached Discord before any work
    callback = api.matching("POST", "/callback")[0]
    assert callback.json["type"] == 5  # DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
    assert callback.json["data"]["flags"] == EPHEMERAL
    followup = _followups(api)[0]
    assert "Subscribed to open-source AI." in followup.json["embeds"][0]["description"]
    assert followup.json["allowed_mentions"] == {"parse": []}


async def test_options_are_rebuilt_into_text_with_flags_and_quotes(
    api, make_bot, corpus_interaction
):
    dispatch = RecordingDispatch(api, ok_reply())
    bot = await make_bot(dispatch)
    options = [
        {"type": 3, "name": "topic", "value": 'developer "tools"'},
        {"type": 5, "name": "me", "value": True},
    ]
    await _invoke(bot, api, corpus_interaction("subscribe", options))
    assert dispatch.requests[0].text == 'subscribe --me developer "tools"'


async def test_shared_command_is_deferred_publicly(api, make_bot, corpus_interaction):
    dispatch = RecordingDispatch(api, ok_reply("Today's brief", visibility="in_channel"))
    bot = await make_bot(dispatch)
    await _invoke(bot, api, corpus_interaction("brief"))
    assert dispatch.requests[0].text == "brief"
    assert "flags" not in api.matching("POST", "/callback")[0].json.get("data", {})
    assert not _followups(api)[0].json.get("flags")


async def test_admin_only_command_refused_without_manage_channels(
    api, make_bot, corpus_interaction
):
    dispatch = RecordingDispatch(api, ok_reply())
    bot = await make_bot(dispatch)
    payload = corpus_interaction("follow", [{"type": 3, "name": "feed_url", "value": "https://x"}])
    payload["member"]["permissions"] = "0"
    await _invoke(bot, api, payload)
    assert dispatch.requests == []
    followup = _followups(api)[0]
    assert "Manage Channels" in followup.json["embeds"][0]["description"]
    assert "`me` option" not in followup.json["embeds"][0]["description"]  # follow has none
    assert NEEDS_ADMIN.startswith("You need")
    assert followup.json["flags"] == EPHEMERAL


async def test_personal_subscribe_allowed_without_admin_and_welcomed_by_dm(
    api, make_bot, corpus_interaction
):
    dispatch = RecordingDispatch(api, ok_reply("You follow open-source AI in your DMs."))
    bot = await make_bot(dispatch)
    options = [
        {"type": 3, "name": "topic", "value": "open-source AI"},
        {"type": 5, "name": "me", "value": True},
    ]
    payload = corpus_interaction("subscribe", options)
    payload["member"]["permissions"] = "0"
    await _invoke(bot, api, payload)
    assert dispatch.requests[0].is_admin is False
    assert api.matching("POST", "/users/@me/channels")  # opened the DM
    dm = next(c for c in api.matching("POST", "/messages") if c.path.startswith("/channels/"))
    assert dm.json["allowed_mentions"] == {"parse": []}
    assert "Check your DMs" in _followups(api)[0].json["embeds"][0]["description"]


async def test_summary_takes_an_integer_episode_and_stays_private(
    api, make_bot, corpus_interaction
):
    dispatch = RecordingDispatch(api, ok_reply("Summary"))
    bot = await make_bot(dispatch)
    await _invoke(
        bot, api, corpus_interaction("summary", [{"type": 4, "name": "episode", "value": 99}])
    )
    assert dispatch.requests[0].text == "summary 99"
    assert api.matching("POST", "/callback")[0].json["data"]["flags"] == EPHEMERAL
    assert not api.matching("DELETE", "/messages/@original")


async def test_dispatch_crash_becomes_polite_message(api, make_bot, corpus_interaction):
    def explode(request):
        raise RuntimeError("database on fire")

    bot = await make_bot(RecordingDispatch(api, explode))
    await _invoke(bot, api, corpus_interaction("status"))
    followup = _followups(api)[0]
    assert "Sorry, something went wrong" in followup.json["embeds"][0]["description"]
    assert "database on fire" not in str(followup.json)


async def test_error_reply_after_public_defer_replaces_placeholder(
    api, make_bot, corpus_interaction
):
    bot = await make_bot(RecordingDispatch(api, Reply(title="No channel here", error=True)))
    await _invoke(bot, api, corpus_interaction("brief"))
    assert "flags" not in api.matching("POST", "/callback")[0].json.get("data", {})
    assert api.matching("DELETE", "/messages/@original")
    assert _followups(api)[0].json["flags"] == EPHEMERAL


async def test_dm_interaction_is_admin_and_has_no_team(api, make_bot, corpus_interaction):
    dispatch = RecordingDispatch(api, ok_reply())
    bot = await make_bot(dispatch)
    payload = corpus_interaction("topics")
    member = payload.pop("member")
    payload.pop("guild_id")
    payload["user"] = member["user"]
    await _invoke(bot, api, payload)
    request = dispatch.requests[0]
    assert request.is_dm is True and request.is_admin is True and request.team_id == ""


@pytest.mark.parametrize("kind", ["topic", "podcast"])
async def test_autocomplete_answers_with_choices(
    api, make_bot, corpus, corpus_interaction, kind, services
):
    with Session(services.engine) as session:
        channel = Channel(platform="discord", team_id="g", channel_ref="645027906669510667")
        session.add(channel)
        session.add(Podcast(url="https://feeds.example/a.xml", title="Open Weights Weekly"))
        session.add(Podcast(url="https://feeds.example/b.xml", title="Cooking Hour"))
        session.commit()
        session.add(Subscription(channel_id=channel.id, topic="open-source AI"))
        session.commit()
    source = (
        corpus
        / "discord/discord-interactions-js/APPLICATION_COMMAND_AUTOCOMPLETE_request_body.json"
    )
    autocomplete = json.loads(source.read_text())
    focused = autocomplete["data"]["options"][0]
    assert focused["focused"] is True
    sub, option = ("subscribe", "topic") if kind == "topic" else ("unfollow", "podcast")
    payload = corpus_interaction(sub, [dict(focused, name=option, value="open")])
    payload.update(type=autocomplete["type"], id=autocomplete["id"], token=autocomplete["token"])

    bot = await make_bot(RecordingDispatch(api, ok_reply()))
    bot._connection.parse_interaction_create(payload)
    await api.wait_for(lambda calls: bool(api.matching("POST", "/callback")))
    callback = api.matching("POST", "/callback")[0].json
    assert callback["type"] == 8  # APPLICATION_COMMAND_AUTOCOMPLETE_RESULT
    names = [choice["name"] for choice in callback["data"]["choices"]]
    assert names == (["open-source AI"] if kind == "topic" else ["Open Weights Weekly"])


async def test_every_message_sent_disallows_mentions(api, make_bot, corpus_interaction):
    bot = await make_bot(RecordingDispatch(api, ok_reply("@everyone look")))
    await _invoke(bot, api, corpus_interaction("status"))
    assert sent_messages(api)
    for call in sent_messages(api):
        assert call.json["allowed_mentions"] == {"parse": []}


async def test_client_disallows_mentions_by_default(api, make_bot):
    bot = await make_bot(RecordingDispatch(api, ok_reply()))
    assert bot.allowed_mentions is not None
    assert bot.allowed_mentions.to_dict() == {"parse": []}


async def test_unexpected_options_reach_the_one_error_handler(api, make_bot, corpus_interaction):
    dispatch = RecordingDispatch(api, ok_reply())
    bot = await make_bot(dispatch)
    # A stale client sending an option the command no longer has: discord.py refuses it.
    payload = corpus_interaction("summary", [{"type": 3, "name": "nonsense", "value": "x"}])
    await _invoke(bot, api, payload)
    assert dispatch.requests == []
    followup = _followups(api)[0].json
    assert "Sorry, something went wrong" in followup["embeds"][0]["description"]
    assert followup["flags"] == EPHEMERAL
