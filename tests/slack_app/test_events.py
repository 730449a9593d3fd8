"""Slack events end to end: mentions (thread follow-ups, commands), retries, the App Home."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest
from sqlmodel import Session

from bot.core.models import Delivery, DeliveryItem, Episode, Insight, Podcast
from tests.fakes.slack_requests import post
from tests.fakes.slack_rig import Rig, slack_rig
from tests.slack_app.test_app import subscribe_channel


@pytest.fixture
def rig(engine, settings, monkeypatch) -> Iterator[Rig]:
    yield from slack_rig(engine, settings, monkeypatch)


def mention(text: str, *, event_id: str = "Ev1", thread_ts: str | None = None) -> dict:
    event = {"type": "app_mention", "text": text, "user": "W222", "ts": "1700000050.000100"}
    event |= {"channel": "C111", "event_ts": "1700000050.000100"}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return {
        "token": "verification_token",
        "team_id": "T111",
        "api_app_id": "A111",
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": 1700000050,
    }


def delivered_brief(engine, message_ref: str) -> None:
    """A brief of two items (episodes 1 and 2) delivered as message ``message_ref``."""
    channel = subscribe_channel(engine)
    with Session(engine) as session:
        podcast = Podcast(url="https://e.com/feed", title="Show")
        session.add(podcast)
        session.flush()
        delivery = Delivery(channel_id=channel.id, local_date=date(2026, 12, 1), status="sent")
        delivery.message_ref = message_ref
        session.add(delivery)
        session.flush()
        for rank in (1, 2):
            episode = Episode(podcast_id=podcast.id, identity=f"guid:{rank}", title=f"Ep {rank}")
            session.add(episode)
            session.flush()
            insight = Insight(episode_id=episode.id, text="t", quote="q")
            session.add(insight)
            session.flush()
            session.add(
                DeliveryItem(
                    delivery_id=delivery.id, channel_id=channel.id, insight_id=insight.id, rank=rank
                )
            )
        session.commit()


def test_mention_in_a_brief_thread_answers_from_the_named_item(rig, engine):
    delivered_brief(engine, "1700000000.000100")
    body = mention("<@UBOT> what about #2, the pricing?", thread_ts="1700000000.000100")
    assert post(rig.url, body).status_code == 200
    [posted] = rig.fake.wait_for("chat.postMessage")
    assert posted.body["thread_ts"] == "1700000000.000100"
    name, args, kwargs = rig.core.calls[-1]
    assert name == "answer" and kwargs["scope"].episode_id == 2
    assert args[2] == "what about #2, the pricing?"


def test_mention_finds_episode_from_parent_message_when_ledger_has_none(rig):
    rig.fake.responses["conversations.replies"] = {
        "ok": True,
        "messages": [{"ts": "1.0", "metadata": {"event_payload": {"episode_ids": [42]}}}],
    }
    post(rig.url, mention("<@UBOT> who said that?", thread_ts="1.0"))
    rig.fake.wait_for("chat.postMessage")
    assert rig.core.calls[-1][2]["scope"].episode_id == 42


def test_mention_with_a_command_runs_it_in_a_thread(rig):
    post(rig.url, mention("<@UBOT> topics"))
    [posted] = rig.fake.wait_for("chat.postEphemeral")
    assert posted.body["thread_ts"] == "1700000050.000100"
    assert "Nothing followed yet" in posted.body["text"]


def test_personal_mention_replies_go_only_to_the_asker(rig):
    post(rig.url, mention("<@UBOT> why is it cheap?", event_id="EvPrivate"))
    post(rig.url, mention("<@UBOT> ask --share why is it cheap?", event_id="EvShared"))
    rig.drain()
    [private] = rig.fake.of("chat.postEphemeral")
    assert private.body["user"] == "W222" and private.body["channel"] == "C111"
    assert private.body["thread_ts"] == "1700000050.000100"
    assert "why is it cheap?" in private.body["text"]
    [shared] = rig.fake.of("chat.postMessage")
    assert shared.body["thread_ts"] == "1700000050.000100"


def test_events_api_retries_are_not_processed_twice(rig):
    body = mention("<@UBOT> topics", event_id="EvRetry")
    post(rig.url, body)
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert post(rig.url, body, headers=retry).status_code == 200
    post(rig.url, mention("<@UBOT> help", event_id="EvOther"))
    rig.drain()
    assert len(rig.fake.of("chat.postEphemeral")) == 2


def test_app_home_shows_subscriptions_and_feed_health(rig, engine):
    subscribe_channel(engine, "open-source AI")
    body = mention("x")
    body["event"] = {"type": "app_home_opened", "user": "W222", "channel": "D1", "tab": "home"}
    post(rig.url, body)
    [published] = rig.fake.wait_for("views.publish")
    assert published.body["user_id"] == "W222"
    text = json.dumps(published.json_field("view"), ensure_ascii=False)
    assert "<#C111>" in text and "open-source AI" in text and "No feeds yet" in text


def test_socket_mode_retries_are_dropped_too(rig):
    from slack_bolt.request import BoltRequest

    body = mention("<@UBOT> topics", event_id="EvSocket")
    first = rig.app.dispatch(BoltRequest(body=body, mode="socket_mode"))
    retry = BoltRequest(body=body, mode="socket_mode", headers={"x-slack-retry-num": "1"})
    assert first.status == 200 and rig.app.dispatch(retry).status == 200
    rig.drain()
    assert len(rig.fake.of("chat.postEphemeral")) == 1


def test_mention_finds_episodes_through_the_delivery_id_in_parent_metadata(rig, engine):
    delivered_brief(engine, "posted-elsewhere")  # the ledger's message_ref does not match
    rig.fake.responses["conversations.replies"] = {
        "ok": True,
        "messages": [{"ts": "9.0", "metadata": {"event_payload": {"delivery_id": 1}}}],
    }
    post(rig.url, mention("<@UBOT> and item 2?", thread_ts="9.0"))
    rig.fake.wait_for("chat.postMessage")
    assert rig.core.calls[-1][2]["scope"].episode_id == 2
