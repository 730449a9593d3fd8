"""Brief buttons after a restart, the ask modal answered in a thread, thread follow-ups."""

from __future__ import annotations

import copy
import json

import discord
import pytest
from sqlmodel import Session, select

from bot.core.models import Channel, Episode, Insight, Podcast
from bot.core.values import Brief, BriefItem
from handlers.chat.replies import Reply
from handlers.discord_bot.render import render_reply
from tests.discord_bot.conftest import RecordingDispatch, ok_reply
from tests.fakes.discord_api import BOT_ID, FakeDiscordAPI, message, thread

GUILD = "290926798626357999"
CHANNEL = "645027906669510667"
BRIEF_MESSAGE = "800000000000000001"


@pytest.fixture
def seeded(services) -> dict[str, int]:
    """A channel and two episodes with one insight each."""
    with Session(services.engine) as session:
        channel = Channel(platform="discord", team_id=GUILD, channel_ref=CHANNEL)
        podcast = Podcast(url="https://feeds.example/a.xml", title="The Inference Hour")
        session.add_all([channel, podcast])
        session.commit()
        ids = {"channel": channel.id}
        for n in (1, 2):
            episode = Episode(podcast_id=podcast.id, identity=f"guid:{n}", title=f"Episode {n}")
            session.add(episode)
            session.commit()
            insight = Insight(episode_id=episode.id, text=f"Claim {n}", quote="q", start=60.0 * n)
            session.add(insight)
            session.commit()
            ids[f"episode{n}"], ids[f"insight{n}"] = episode.id, insight.id
    return ids


def brief_message(ids: dict[str, int]) -> dict:
    """The brief as the bot posted it: our own embeds and buttons, authored by the bot."""
    items = [
        BriefItem(
            n,
            ids[f"insight{n}"],
            f"Claim {n}",
            "q",
            "Ann",
            "The Inference Hour",
            f"Episode {n}",
            ids[f"episode{n}"],
            60.0 * n,
            "https://x.example/a.mp3",
            ["ai"],
            0.5,
        )
        for n in (1, 2)
    ]
    kwargs = render_reply(
        Reply(
            brief=Brief(date=__import__("datetime").date(2026, 12, 1), topics=["ai"], items=items)
        )
    )
    body = {
        "embeds": [embed.to_dict() for embed in kwargs["embeds"]],
        "components": kwargs["view"].to_components(),
    }
    return message(BRIEF_MESSAGE, CHANNEL, body, author_id=BOT_ID)


def component_click(corpus_interaction, corpus, custom_id: str, ids: dict[str, int]) -> dict:
    """The corpus MESSAGE_COMPONENT body, clicked on our brief message in a guild channel."""
    source = corpus / "discord/discord-interactions-js/MESSAGE_COMPONENT_request_body.json"
    click = json.loads(source.read_text())
    payload = corpus_interaction("brief")  # guild, member, channel, application fields
    payload.update(id=click["id"], token=click["token"], type=click["type"])
    payload["data"] = dict(click["data"], custom_id=custom_id)
    payload["message"] = brief_message(ids)
    return payload


class RecordingFeedback:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def __call__(self, session, channel, insight_id, user_id, value) -> None:
        self.calls.append((channel.id, insight_id, user_id, value))


def _followups(api: FakeDiscordAPI) -> list:
    return [c for c in api.calls if c.method == "POST" and c.path.startswith("/webhooks/")]


@pytest.mark.parametrize(("direction", "value"), [("up", 1), ("down", -1)])
async def test_feedback_button_works_on_a_fresh_client(
    api, make_bot, corpus, corpus_interaction, seeded, direction, value
):
    feedback = RecordingFeedback()
    bot = await make_bot(RecordingDispatch(api, ok_reply()), record_feedback=feedback)
    custom_id = f"podbrief:fb:{direction}:{seeded['insight1']}"
    bot._connection.parse_interaction_create(
        component_click(corpus_interaction, corpus, custom_id, seeded)
    )
    await api.wait_for(lambda calls: bool(_followups(api)))

    assert feedback.calls == [(seeded["channel"], seeded["insight1"], "53908232506183680", value)]
    defer = api.matching("POST", "/callback")[0].json
    assert defer["type"] == 5 and defer["data"]["flags"] == 64
    followup = _followups(api)[0].json
    assert followup["flags"] == 64 and followup["allowed_mentions"] == {"parse": []}
    assert "Got it" in followup["embeds"][0]["description"]


async def test_feedback_in_an_unknown_channel_is_a_polite_no(
    api, make_bot, corpus, corpus_interaction, seeded, services
):
    with Session(services.engine) as session:
        session.delete(session.get(Channel, seeded["channel"]))
        session.commit()
    feedback = RecordingFeedback()
    bot = await make_bot(RecordingDispatch(api, ok_reply()), record_feedback=feedback)
    custom_id = f"podbrief:fb:up:{seeded['insight1']}"
    bot._connection.parse_interaction_create(
        component_click(corpus_interaction, corpus, custom_id, seeded)
    )
    await api.wait_for(lambda calls: bool(_followups(api)))
    assert feedback.calls == []
    assert "no longer gets podbrief" in _followups(api)[0].json["embeds"][0]["description"]


def _fill(components: list[dict], value: str) -> list[dict]:
    """A modal-submit ``components`` list answering every text input the bot sent."""
    filled = copy.deepcopy(components)
    for row in filled:
        for child in row.get("components") or [row.get("component")]:
            if child and child.get("type") == 4:
                child["value"] = value
    return filled


async def _ask_through_modal(bot, api, click: dict, question: str) -> None:
    """Click an ask button, then submit the modal the bot answered with."""
    bot._connection.parse_interaction_create(click)
    await api.wait_for(lambda calls: bool(api.matching("POST", "/callback")))
    modal = api.matching("POST", "/callback")[0].json
    assert modal["type"] == 9  # MODAL: the immediate response to the click
    submit = dict(click, id="787053080478613599", type=5)
    submit["data"] = {
        "custom_id": modal["data"]["custom_id"],
        "components": _fill(modal["data"]["components"], question),
    }
    bot._connection.parse_interaction_create(submit)
    await api.wait_for(lambda calls: bool(_followups(api)))


async def test_ask_button_opens_modal_and_answers_in_a_new_thread(
    api, make_bot, corpus, corpus_interaction, seeded
):
    dispatch = RecordingDispatch(api, ok_reply("They said @everyone should fine-tune."))
    bot = await make_bot(dispatch)
    ask_id = f"podbrief:ask:{seeded['insight2']}"
    click = component_click(corpus_interaction, corpus, ask_id, seeded)
    await _ask_through_modal(bot, api, click, "What about GPUs?")

    request = dispatch.requests[0]
    assert request.text == "ask What about GPUs?"
    assert request.episode_id == seeded["episode2"]
    opened = api.matching("POST", f"/messages/{BRIEF_MESSAGE}/threads")[0]
    assert opened.json["name"] == "#2 Episode 2"
    in_thread = api.matching("POST", f"/channels/{BRIEF_MESSAGE}/messages")[0]
    assert in_thread.json["allowed_mentions"] == {"parse": []}
    assert f"<#{BRIEF_MESSAGE}>" in _followups(api)[0].json["embeds"][0]["description"]


async def test_ask_without_thread_permission_answers_privately(
    api, make_bot, corpus, corpus_interaction, seeded
):
    api.fail[("POST", f"/channels/{CHANNEL}/messages/{BRIEF_MESSAGE}/threads")] = 403
    bot = await make_bot(RecordingDispatch(api, ok_reply("The answer")))
    click = component_click(
        corpus_interaction, corpus, f"podbrief:ask:{seeded['insight1']}", seeded
    )
    await _ask_through_modal(bot, api, click, "Why?")
    followup = _followups(api)[0].json
    assert followup["flags"] == 64
    assert "The answer" in followup["embeds"][0]["description"]


def _thread_message(bot: discord.Client, content: str, name: str, author: str) -> discord.Message:
    state = bot._connection
    guild = state._get_or_create_unavailable_guild(int(GUILD))
    channel = discord.Thread(guild=guild, state=state, data=thread(BRIEF_MESSAGE, CHANNEL, name))
    data = message("800000000000000077", BRIEF_MESSAGE, {"content": content})
    data["author"] = {"id": author, "username": "Mason", "discriminator": "0", "avatar": None}
    return discord.Message(state=state, channel=channel, data=data)


@pytest.mark.parametrize(("name", "episode"), [("#2 Episode 2", "episode2"), ("chat", None)])
async def test_question_in_a_brief_thread_is_answered_from_its_episode(
    api, make_bot, seeded, name, episode
):
    api.messages[(CHANNEL, BRIEF_MESSAGE)] = brief_message(seeded)
    dispatch = RecordingDispatch(api, ok_reply("Answer with @here inside"))
    bot = await make_bot(dispatch)
    await bot.on_message(_thread_message(bot, f"<@{BOT_ID}> and GPUs?", name, "53908232506183680"))

    request = dispatch.requests[0]
    assert request.text == "ask and GPUs?"
    assert request.channel_ref == CHANNEL
    # Two episodes in this brief: only a "#N" thread name pins one down.
    assert request.episode_id == (seeded[episode] if episode else None)
    sent = api.matching("POST", f"/channels/{BRIEF_MESSAGE}/messages")[0].json
    assert sent["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert str(sent["message_reference"]["message_id"]) == "800000000000000077"


async def test_threads_not_on_a_brief_are_ignored(api, make_bot, seeded):
    not_ours = brief_message(seeded)
    not_ours["author"]["id"] = "123"
    api.messages[(CHANNEL, BRIEF_MESSAGE)] = not_ours
    dispatch = RecordingDispatch(api, ok_reply())
    bot = await make_bot(dispatch)
    await bot.on_message(_thread_message(bot, "hello", "#1 x", "53908232506183680"))
    assert dispatch.requests == []
    assert not api.matching("POST", "/messages")


async def test_slash_ask_inside_a_brief_thread_scopes_to_the_episode(
    api, make_bot, seeded, corpus_interaction
):
    api.messages[(CHANNEL, BRIEF_MESSAGE)] = brief_message(seeded)
    dispatch = RecordingDispatch(api, ok_reply())
    bot = await make_bot(dispatch)
    payload = corpus_interaction("ask", [{"type": 3, "name": "question", "value": "why?"}])
    payload["channel"] = thread(BRIEF_MESSAGE, CHANNEL, "#1 Episode 1")
    payload["channel_id"] = BRIEF_MESSAGE
    bot._connection.parse_interaction_create(payload)
    await api.wait_for(lambda calls: bool(_followups(api)))
    request = dispatch.requests[0]
    assert request.channel_ref == CHANNEL
    assert request.episode_id == seeded["episode1"]


async def test_feedback_is_stored_by_the_real_feedback_module(
    api, make_bot, corpus, corpus_interaction, seeded, services
):
    from bot.core.models import Feedback

    bot = await make_bot(RecordingDispatch(api, ok_reply()))
    for direction in ("up", "down"):  # one vote per user: the latest wins
        custom_id = f"podbrief:fb:{direction}:{seeded['insight1']}"
        click = component_click(corpus_interaction, corpus, custom_id, seeded)
        click["id"] = str(int(click["id"]) + len(_followups(api)))
        bot._connection.parse_interaction_create(click)
        count = len(_followups(api)) + 1
        await api.wait_for(lambda calls, count=count: len(_followups(api)) >= count)
    with Session(services.engine) as session:
        votes = session.exec(select(Feedback)).all()
    assert [(v.insight_id, v.user_id, v.value) for v in votes] == [
        (seeded["insight1"], "53908232506183680", -1)
    ]
    assert "less like this" in _followups(api)[-1].json["embeds"][0]["description"]


async def test_feedback_on_a_pruned_insight_says_so(
    api, make_bot, corpus, corpus_interaction, seeded, services
):
    bot = await make_bot(RecordingDispatch(api, ok_reply()))
    custom_id = f"podbrief:fb:up:{seeded['insight2']}"
    click = component_click(corpus_interaction, corpus, custom_id, seeded)
    with Session(services.engine) as session:  # pruned after the brief went out
        session.delete(session.get(Insight, seeded["insight2"]))
        session.commit()
    bot._connection.parse_interaction_create(click)
    await api.wait_for(lambda calls: bool(_followups(api)))
    expected = f"No insight with id {seeded['insight2']}"
    assert expected in _followups(api)[0].json["embeds"][0]["description"]


def _dm_message(bot: discord.Client, content: str) -> discord.Message:
    state = bot._connection
    user = {"id": "53908232506183680", "username": "Mason", "discriminator": "0", "avatar": None}
    channel = discord.DMChannel(
        me=bot.user, state=state, data={"id": "810000000000000001", "type": 1, "recipients": [user]}
    )
    data = message("810000000000000002", "810000000000000001", {"content": content})
    data["author"] = user
    return discord.Message(state=state, channel=channel, data=data)


@pytest.mark.parametrize(
    ("content", "text"),
    [("status", "status"), ("How do they fine-tune?", "ask How do they fine-tune?"), ("", None)],
)
async def test_dm_messages_run_commands_or_become_questions(api, make_bot, content, text):
    dispatch = RecordingDispatch(api, ok_reply("Here you go @everyone"))
    bot = await make_bot(dispatch)
    await bot.on_message(_dm_message(bot, content))
    if text is None:
        assert dispatch.requests == []
        return
    request = dispatch.requests[0]
    assert (request.text, request.is_dm, request.is_admin, request.team_id) == (
        text,
        True,
        True,
        "",
    )
    sent = api.matching("POST", "/channels/810000000000000001/messages")[0].json
    assert sent["allowed_mentions"]["parse"] == []
