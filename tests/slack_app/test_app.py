"""The Slack app end to end: signed requests through the real Bolt pipeline over HTTP, the Web
API pointed at a local fake Slack that records every call, the core replaced by recording fakes.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import pytest
from sqlmodel import Session

from bot.channels import subscriptions as channels
from bot.core.models import Channel
from handlers.slack_app.app import WORKERS
from tests.fakes import chat_core
from tests.fakes.slack_requests import post
from tests.fakes.slack_rig import Rig, slack_rig


@pytest.fixture
def rig(engine, settings, monkeypatch) -> Iterator[Rig]:
    yield from slack_rig(engine, settings, monkeypatch)


def slash(rig: Rig, text: str, **overrides) -> dict:
    payload = {
        "token": "verification_token",
        "team_id": "T111",
        "team_domain": "test",
        "channel_id": "C111",
        "channel_name": "general",
        "user_id": "W111",
        "user_name": "ann",
        "command": "/podbrief",
        "text": text,
        "response_url": rig.fake.url + "/respond/1",
        "trigger_id": "111.111.xxx",
    }
    return payload | overrides


def subscribe_channel(engine, topic: str = "AI") -> Channel:
    with Session(engine, expire_on_commit=False) as session:
        channel = channels.get_or_create_channel(
            session, platform="slack", team_id="T111", channel_ref="C111"
        )
        channels.subscribe_topic(session, channel, topic)
        session.commit()
        return channel


# --- request verification -------------------------------------------------------------------


def test_signed_slash_command_subscribes_and_replies_via_response_url(rig, engine):
    response = post(rig.url, slash(rig, "subscribe open-source AI"))
    assert response.status_code == 200
    [reply] = rig.fake.wait_for("respond")
    assert reply.body["response_type"] == "ephemeral"
    assert "Subscribed to “open-source AI”" in reply.body["text"]
    with Session(engine) as session:
        channel = channels.find_channel(
            session, platform="slack", team_id="T111", channel_ref="C111"
        )
        assert channels.list_subscriptions(session, channel).topics == ["open-source AI"]
        assert channel.name == "general"


def test_bad_signature_is_refused_and_nothing_runs(rig):
    response = post(rig.url, slash(rig, "subscribe AI"), secret="not-the-secret")
    assert response.status_code == 401
    rig.drain()
    assert rig.fake.of("respond") == []


def test_request_older_than_five_minutes_is_refused(rig):
    stale = int(time.time()) - 6 * 60
    response = post(rig.url, slash(rig, "subscribe AI"), timestamp=stale)
    assert response.status_code == 401
    rig.drain()
    assert rig.fake.of("respond") == []


# --- commands -------------------------------------------------------------------------------


def test_ack_is_sent_before_slow_core_work(rig, monkeypatch, engine):
    subscribe_channel(engine)
    release, order = threading.Event(), []

    def slow_compose(services, session, channel, local_date):
        release.wait(10)
        order.append("core finished")
        return chat_core.sample_brief(2)

    chat_core.install(monkeypatch, "bot.briefs.compose.compose_brief", slow_compose)
    response = post(rig.url, slash(rig, "brief"))
    order.append("http answered")
    assert response.status_code == 200 and not release.is_set()
    release.set()
    [reply] = rig.fake.wait_for("respond")
    assert order == ["http answered", "core finished"]
    assert reply.body["response_type"] == "in_channel"
    blocks = reply.body["blocks"]
    assert blocks[0]["type"] == "header" and "Your podcast brief" in blocks[0]["text"]["text"]
    assert any(b.get("block_id") == "item:101" for b in blocks)


def test_acks_never_wait_for_a_pool_busy_with_slow_work(rig, monkeypatch):
    release = threading.Event()

    def blocked_answer(*args, **kwargs):
        release.wait(20)
        return chat_core.sample_answer()

    chat_core.install(monkeypatch, "bot.ask.answers.answer_question", blocked_answer)
    statuses = [post(rig.url, slash(rig, f"ask q{n}?")).status_code for n in range(WORKERS + 3)]
    assert statuses == [200] * (WORKERS + 3) and not release.is_set()
    release.set()
    assert len(rig.fake.wait_for("respond", WORKERS + 3, timeout=30)) == WORKERS + 3


def test_ask_answers_privately_with_citations(rig):
    post(rig.url, slash(rig, "ask what did Dana say about cost?"))
    [reply] = rig.fake.wait_for("respond")
    assert reply.body["response_type"] == "ephemeral"
    text = json.dumps(reply.body["blocks"], ensure_ascii=False)
    assert "<https://example.com/ep7.mp3#t=1421|▶ 23:41>" in text
    name, args, _ = rig.core.calls[-1]
    assert name == "answer" and args[2] == "what did Dana say about cost?"


def test_admins_only_mode_refuses_non_admins_politely(rig):
    rig.services.settings.slack_admins_only = True
    rig.fake.responses["users.info"] = {"ok": True, "user": {"id": "W111", "is_admin": False}}
    post(rig.url, slash(rig, "subscribe AI"))
    [reply] = rig.fake.wait_for("respond")
    assert "Only workspace admins" in reply.body["text"]


# --- buttons and modal ----------------------------------------------------------------------


def block_action(rig: Rig, action_id: str, channel: str = "C111") -> dict:
    return {
        "type": "block_actions",
        "team": {"id": "T111", "domain": "test"},
        "user": {"id": "W222", "team_id": "T111"},
        "api_app_id": "A111",
        "token": "verification_token",
        "trigger_id": "222.222.xxx",
        "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": channel},
        "channel": {"id": channel, "name": "general"},
        "response_url": rig.fake.url + "/respond/2",
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "item:101",
                "value": action_id.split(":")[1],
                "action_ts": "1700000001.0",
            }
        ],
    }


def test_thumbs_up_records_feedback_and_confirms_privately(rig, engine):
    channel = subscribe_channel(engine)
    assert post(rig.url, block_action(rig, "podbrief_more:101")).status_code == 200
    [reply] = rig.fake.wait_for("respond")
    assert reply.body["text"] == "Got it — more like this."
    assert reply.body["response_type"] == "ephemeral"
    rig.drain()
    name, args, _ = rig.core.calls[-1]
    assert name == "feedback"
    assert (args[1].id, args[2], args[3], args[4]) == (channel.id, 101, "W222", 1)


def test_ask_button_opens_modal_and_submission_answers_in_thread(rig):
    post(rig.url, block_action(rig, "podbrief_ask:7"))
    [opened] = rig.fake.wait_for("views.open")
    view = opened.json_field("view")
    assert opened.body["trigger_id"] == "222.222.xxx"
    metadata = json.loads(view["private_metadata"])
    assert metadata == {"episode_id": 7, "channel_id": "C111", "message_ts": "1700000000.000100"}
    submission = {
        "type": "view_submission",
        "team": {"id": "T111"},
        "user": {"id": "W222", "team_id": "T111"},
        "api_app_id": "A111",
        "token": "verification_token",
        "trigger_id": "333.333.xxx",
        "view": view
        | {"id": "V1", "state": {"values": {"question": {"question_input": {"value": "Why?"}}}}},
    }
    response = post(rig.url, submission)
    assert response.status_code == 200 and response.text == ""
    [posted] = rig.fake.wait_for("chat.postMessage")
    assert posted.body["thread_ts"] == "1700000000.000100"
    assert "<@W222> asked: “Why?”" in json.dumps(posted.json_field("blocks"), ensure_ascii=False)
    assert rig.core.calls[-1][2]["scope"].episode_id == 7


def test_empty_modal_question_keeps_the_modal_open_with_an_error(rig):
    view = {"type": "modal", "callback_id": "podbrief_ask_episode", "private_metadata": "{}"}
    view["state"] = {"values": {"question": {"question_input": {"value": "  "}}}}
    body = {"type": "view_submission", "team": {"id": "T111"}, "user": {"id": "W1"}, "view": view}
    response = post(rig.url, body)
    assert response.json()["response_action"] == "errors"


def test_ask_button_falls_back_to_a_hint_when_the_modal_cannot_open(rig):
    rig.fake.responses["views.open"] = {"ok": False, "error": "expired_trigger_id"}
    post(rig.url, block_action(rig, "podbrief_ask:7"))
    [reply] = rig.fake.wait_for("respond")
    assert "Mention @podbrief in this brief's thread" in reply.body["text"]
