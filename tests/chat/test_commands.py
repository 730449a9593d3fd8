"""The command layer: parser, help, permissions, errors and every handler via dispatch."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import Session, select

from bot.core.errors import InvalidInput, NotFound
from bot.core.models import Channel, Episode, Podcast, Subscription
from bot.core.services import Services
from handlers.chat.commands import command_table
from handlers.chat.parser import parse
from handlers.chat.replies import GENERIC_ERROR, CommandRequest
from handlers.chat.router import HANDLERS, dispatch
from tests.fakes import chat_core
from tests.fakes.chat_core import CoreCalls


@pytest.fixture
def services(engine, settings) -> Services:
    return Services(settings=settings, engine=engine)


@pytest.fixture
def calls(monkeypatch) -> CoreCalls:
    recorder = CoreCalls()
    chat_core.install_all(monkeypatch, recorder)
    return recorder


def run(services, text, **kwargs):
    values = {"platform": "slack", "channel_ref": "C1", "user_id": "U1", "team_id": "T1"}
    return dispatch(services, CommandRequest(text=text, **values | kwargs))


# --- parser ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        ("subscribe open-source AI", "subscribe", {"me": False, "topic": "open-source AI"}),
        ("/podbrief subscribe --me AI", "subscribe", {"me": True, "topic": "AI"}),
        ('subscribe "developer tools"', "subscribe", {"me": False, "topic": "developer tools"}),
        ("subscribe “developer tools”", "subscribe", {"me": False, "topic": "developer tools"}),
        ('subscribe "unbalanced quote', "subscribe", {"me": False, "topic": "unbalanced quote"}),
        ("ASK what's Dana's view?", "ask", {"share": False, "question": "what's Dana's view?"}),
        ("ask --share why  so   cheap?", "ask", {"share": True, "question": "why  so   cheap?"}),
        ("<@U999> ask who said it", "ask", {"share": False, "question": "who said it"}),
        ("ask who said it? --share", "ask", {"share": True, "question": "who said it?"}),
        ("ask is --share a flag?", "ask", {"share": False, "question": "is --share a flag?"}),
        ("subscribe AI --ME", "subscribe", {"me": True, "topic": "AI"}),
        ("summary #7", "summary", {"episode": 7}),
        ("episodes", "episodes", {"podcast": None}),
        ("", "help", {"command": None}),
        ("podbrief", "help", {"command": None}),
        ("help ask", "help", {"command": "ask"}),
        (
            "follow https://example.com/feed.xml",
            "follow",
            {"feed_url": "https://example.com/feed.xml"},
        ),
    ],
)
def test_parse(text, name, args):
    parsed = parse(text)
    assert parsed.command.name == name
    assert parsed.args == args


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("subscrbe AI", "Did you mean `subscribe`?"),
        ("summary seven", "EPISODE must be a number"),
        ("summary", "Missing EPISODE"),
        ("follow ftp://example.com/feed", "must start with https://"),
        ("help ask extra", "Unexpected “extra”"),
    ],
)
def test_parse_errors_are_one_line(text, message):
    with pytest.raises(InvalidInput) as err:
        parse(text)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_every_command_has_a_handler_and_a_short_summary():
    names = [command.name for command in command_table()]
    assert set(names) == set(HANDLERS)
    assert all(len(command.summary) <= 100 for command in command_table())


# --- dispatch -------------------------------------------------------------------------------


def test_help_lists_every_command(services):
    reply = run(services, "help")
    assert all(any(c.usage in line.text for line in reply.lines) for c in command_table())
    detail = run(services, "help settings")
    assert "settings" in detail.title and "admin" in detail.text


def test_subscribe_then_topics_then_unsubscribe(services, engine):
    assert "Subscribed to “open-source AI”" in run(services, "subscribe open-source AI").text
    assert "Already following" in run(services, "subscribe open-source ai").text
    assert "open-source AI" in run(services, "topics").text
    assert "Unsubscribed" in run(services, "unsubscribe open-source AI").text
    reply = run(services, "unsubscribe open-source AI")
    assert reply.error and "does not follow" in reply.text
    with Session(engine) as session:
        channel = session.exec(select(Channel)).one()
        assert (channel.channel_ref, channel.user_id, channel.team_id) == ("C1", "", "T1")


def test_subscribe_me_creates_a_personal_dm_channel_even_for_non_admins(services, engine):
    reply = run(services, "subscribe --me AI", is_admin=False)
    assert not reply.error and "by DM" in reply.text
    refused = run(services, "subscribe AI", is_admin=False)
    assert refused.error and "Only workspace admins" in refused.text
    with Session(engine) as session:
        channel = session.exec(select(Channel)).one()
        assert (channel.channel_ref, channel.user_id) == ("U1", "U1")
        assert session.exec(select(Subscription)).one().topic == "AI"


def test_new_channels_take_schedule_defaults_from_settings(services, engine):
    services.settings.default_brief_time = "07:15"
    services.settings.default_timezone = "Europe/Berlin"
    run(services, "subscribe AI")
    with Session(engine) as session:
        channel = session.exec(select(Channel)).one()
        assert (channel.brief_time, channel.timezone) == ("07:15", "Europe/Berlin")


def test_settings_show_and_change(services):
    assert "08:00 UTC, every day, 5 items" in run(services, "settings").text
    reply = run(services, "settings time 8:30 tz europe/berlin weekdays on size=3")
    assert "08:30 Europe/Berlin, weekdays, 3 items" in reply.text
    bad = run(services, "settings time 25:00")
    assert bad.error and "HH:MM" in bad.text
    assert run(services, "settings colour blue").error
    assert "08:30" in run(services, "settings").text  # the bad change lost nothing


def test_follow_adds_feed_and_subscribes_replying_at_once(services, calls, engine):
    reply = run(services, "follow https://example.com/feed.xml")
    assert "first insights should be ready" in reply.text and calls.names() == ["add_feed"]
    assert "podbrief" not in reply.text.lower().replace("podcast", "")  # no shell command
    assert "Already following" in run(services, "follow https://example.com/feed.xml").text
    assert "podcast #1" in run(services, "topics").text
    assert "No longer following" in run(services, "unfollow 1").text
    with Session(engine) as session:
        assert session.exec(select(Subscription)).all() == []


def test_follow_in_the_console_processes_at_once(services, calls):
    reply = run(services, "follow https://example.com/feed.xml", platform="console")
    assert "Processed its newest" in reply.text and "podbrief feeds poll" not in reply.text


def test_brief_is_in_channel_and_composed_for_the_channel(services, calls):
    assert "follows nothing yet" in run(services, "brief").text
    run(services, "subscribe AI")
    reply = run(services, "brief")
    assert reply.visibility == "in_channel" and len(reply.brief.items) == 3
    _, args, _ = calls.calls[-1]
    assert args[2].channel_ref == "C1"


def test_personal_brief_with_me_is_private(services, calls):
    run(services, "subscribe --me AI", channel_ref="C2")
    hint = run(services, "brief", channel_ref="C2")
    assert hint.error and "--me" in hint.text
    reply = run(services, "brief --me", channel_ref="C2")
    assert reply.visibility == "ephemeral" and reply.brief is not None
    assert calls.calls[-1][1][2].user_id == "U1"
    assert "matched topic" in run(services, "why --me", channel_ref="C2").text


def test_ask_is_private_unless_shared_or_in_a_thread(services, calls):
    assert run(services, "ask why?").visibility == "ephemeral"
    assert run(services, "ask --share why?").visibility == "in_channel"
    threaded = run(services, "ask why?", episode_id=7)
    assert threaded.visibility == "in_channel"
    assert calls.calls[-1][2]["scope"].episode_id == 7
    assert threaded.answer.citations[0].start == 1421.0


def test_search_episodes_summary_status_why(services, calls, engine, monkeypatch):
    with Session(engine) as session:
        podcast = Podcast(url="https://e.com/f.xml", title="The Inference Hour")
        session.add(podcast)
        session.flush()
        session.add(Episode(podcast_id=podcast.id, identity="guid:1", title="Open weights"))
        session.commit()
    summary = chat_core.sample_summary()
    chat_core.install(monkeypatch, "bot.insights.summaries.get_summary", lambda s, e: summary)
    assert "▶ 1:15 Costs" in run(services, "summary 1").text
    assert run(services, "summary 2").error
    assert "Open weights" in run(services, "episodes inference").text
    assert "The Inference Hour" in run(services, "search tickets").text
    assert "Feeds: 2 followed" in run(services, "status").text
    run(services, "subscribe AI")
    run(services, "status")
    assert calls.calls[-1][2]["channel"].channel_ref == "C1"  # the report covers this channel
    assert "matched topic" in run(services, "why").text


def test_core_errors_become_short_replies_and_bugs_a_polite_one(services, monkeypatch, caplog):
    def not_found(*args, **kwargs):
        raise NotFound("No such episode.")

    def broken(*args, **kwargs):
        raise RuntimeError("database exploded with secrets")

    chat_core.install(monkeypatch, "bot.ask.answers.answer_question", not_found)
    reply = run(services, "ask what?")
    assert reply.error and reply.text == "No such episode."
    chat_core.install(monkeypatch, "bot.ask.answers.answer_question", broken)
    with caplog.at_level(logging.ERROR):
        reply = run(services, "ask what?")
    assert reply.text == GENERIC_ERROR and "secrets" not in reply.text
    assert "Traceback" in caplog.text or caplog.records[-1].exc_info


def test_status_with_the_real_status_report_names_the_next_brief(services):
    run(services, "subscribe AI")
    reply = run(services, "status")
    assert not reply.error and "next brief" in reply.text.lower()
