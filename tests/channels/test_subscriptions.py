"""Channels, subscriptions and schedules on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from bot.channels import subscriptions as channels
from bot.core.errors import InvalidInput, NotFound
from bot.core.models import Podcast
from bot.feeds import catalog


@pytest.fixture
def db(any_engine):
    with Session(any_engine, expire_on_commit=False) as session:
        yield session


def _channel(db, **kwargs):
    values = {"platform": "slack", "team_id": "T1", "channel_ref": "C1"} | kwargs
    return channels.get_or_create_channel(db, **values)


def test_get_or_create_is_idempotent_and_personal_channels_are_separate(db):
    first = _channel(db, name="general")
    again = _channel(db)
    personal = _channel(db, channel_ref="U1", user_id="U1")
    assert first.id == again.id
    assert personal.id != first.id and personal.user_id == "U1"
    assert channels.find_channel(db, platform="slack", team_id="T2", channel_ref="C1") is None


def test_subscribe_unsubscribe_topics_case_insensitively(db):
    channel = _channel(db)
    assert channels.subscribe_topic(db, channel, "  open-source   AI ", user_id="U1")
    assert not channels.subscribe_topic(db, channel, "Open-Source ai")
    assert channels.subscribe_topic(db, channel, "“developer tools”")
    assert channels.list_subscriptions(db, channel).topics == ["open-source AI", "developer tools"]
    channels.unsubscribe_topic(db, channel, "OPEN-SOURCE AI")
    assert channels.list_subscriptions(db, channel).topics == ["developer tools"]
    with pytest.raises(NotFound):
        channels.unsubscribe_topic(db, channel, "knitting")


@pytest.mark.parametrize("bad", ["", "   ", "x" * 81])
def test_bad_topics_are_refused(session, bad):  # validation only: SQLite is enough
    with pytest.raises(InvalidInput):
        channels.subscribe_topic(session, _channel(session), bad)


def test_follow_and_unfollow_podcast_by_id_or_title(db):
    channel = _channel(db)
    podcast = Podcast(url="https://example.com/feed.xml", title="The Inference Hour")
    other = Podcast(url="https://example.com/other.xml", title="Latent Stack")
    db.add_all([podcast, other])
    db.flush()
    assert channels.follow_podcast(db, channel, podcast)
    assert not channels.follow_podcast(db, channel, podcast)
    channels.follow_podcast(db, channel, other)
    assert [p.title for p in channels.list_subscriptions(db, channel).podcasts] == [
        "The Inference Hour",
        "Latent Stack",
    ]
    assert channels.unfollow_podcast(db, channel, "the inference").id == podcast.id
    assert channels.unfollow_podcast(db, channel, str(other.id)).id == other.id
    with pytest.raises(NotFound):
        channels.unfollow_podcast(db, channel, "Latent Stack")
    with pytest.raises(NotFound):
        catalog.find_podcast(db, "999")


def test_update_schedule_validates_everything_before_changing_anything(db):
    channel = _channel(db)
    channels.update_schedule(
        db, channel, brief_time="7:05", timezone="europe/berlin", weekdays_only=True, brief_size=3
    )
    assert (channel.brief_time, channel.timezone) == ("07:05", "Europe/Berlin")
    assert channel.weekdays_only and channel.brief_size == 3
    with pytest.raises(InvalidInput):
        channels.update_schedule(db, channel, brief_time="09:00", timezone="Mars/Olympus")
    assert channel.brief_time == "07:05"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"brief_time": "24:00"},
        {"brief_time": "8"},
        {"brief_time": "08:60"},
        {"timezone": "Not/AZone"},
        {"brief_size": 0},
        {"brief_size": 11},
        {"brief_size": "many"},
    ],
)
def test_update_schedule_rejects_bad_values(session, kwargs):  # validation only
    with pytest.raises(InvalidInput):
        channels.update_schedule(session, _channel(session), **kwargs)
