"""Thread follow-ups find their brief's episodes; the App Home overview; on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session

from bot.channels import subscriptions as channels
from bot.core.models import Delivery, DeliveryItem, Episode, Insight, Podcast
from bot.delivery import followups
from bot.reports.workspace import workspace_overview
from handlers.slack_app.events import episodes_in_message, mention_text
from handlers.slack_app.render import render_brief
from tests.fakes.chat_core import sample_brief, sample_item


@pytest.fixture
def db(any_engine):
    with Session(any_engine, expire_on_commit=False) as session:
        yield session


def deliver(db, *, channel_ref: str, message_ref: str, episodes: int) -> list[int]:
    channel = channels.get_or_create_channel(
        db, platform="slack", team_id="T1", channel_ref=channel_ref
    )
    channels.subscribe_topic(db, channel, "AI")
    podcast = Podcast(url=f"https://e.com/{channel_ref}.xml", title="Show", status="failing")
    podcast.last_error = "HTTP 500 <!channel>"
    db.add(podcast)
    db.flush()
    delivery = Delivery(
        channel_id=channel.id, local_date=date(2026, 12, 1), status="sent", message_ref=message_ref
    )
    db.add(delivery)
    db.flush()
    ids = []
    for rank in range(1, episodes + 1):
        episode = Episode(podcast_id=podcast.id, identity=f"g{rank}", title=f"E{rank}")
        db.add(episode)
        db.flush()
        insight = Insight(episode_id=episode.id, text="t", quote="q")
        db.add(insight)
        db.flush()
        db.add(
            DeliveryItem(
                delivery_id=delivery.id, channel_id=channel.id, insight_id=insight.id, rank=rank
            )
        )
        ids.append(episode.id)
    db.flush()
    return ids


def test_brief_episodes_matches_bare_and_channel_prefixed_refs(db):
    ids = deliver(db, channel_ref="C1", message_ref="C1:1700.1", episodes=3)
    found = followups.brief_episodes(
        db, platform="slack", team_id="T1", channel_ref="C1", message_ref="1700.1"
    )
    assert found == ids
    assert (
        followups.brief_episodes(
            db, platform="slack", team_id="T2", channel_ref="C1", message_ref="1700.1"
        )
        == []
    )


@pytest.mark.parametrize(
    ("question", "expected"),
    [("what about #2?", 20), ("item 3 please", 30), ("who said it?", None), ("#9 ?", None)],
)
def test_pick_episode(question, expected):
    assert followups.pick_episode([10, 20, 30], question) == expected
    assert followups.pick_episode([10, 10], question) == 10


def test_episodes_round_trip_through_a_rendered_brief():
    brief = sample_brief(0)
    brief.items.extend([sample_item(1, episode_id=4), sample_item(2, episode_id=9)])
    blocks, _ = render_brief(brief)
    assert episodes_in_message({"blocks": blocks}) == [4, 9]
    assert episodes_in_message({"metadata": {"event_payload": {"episode_ids": [5]}}}) == [5]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<@U1> status", "status"),
        ("<@U1> why is the sky blue?", "ask why is the sky blue?"),
        ("<@U1> why", "why"),
        ("<@U1> subscribe open-source AI", "subscribe open-source AI"),
        ("<@U1> what did Dana say?", "ask what did Dana say?"),
        ("<@U1>", "help"),
    ],
)
def test_mention_text(text, expected):
    assert mention_text(text) == expected


def test_workspace_overview_hides_other_users_personal_briefs(db):
    deliver(db, channel_ref="C1", message_ref="1.0", episodes=1)
    for user in ("U1", "U2"):
        mine = channels.get_or_create_channel(
            db, platform="slack", team_id="T1", channel_ref=user, user_id=user
        )
        channels.subscribe_topic(db, mine, f"topic of {user}")
    overview = workspace_overview(
        db, platform="slack", team_id="T1", viewer_id="U1", now=datetime(2026, 12, 1, tzinfo=UTC)
    )
    refs = [(c.channel_ref, c.personal, c.topics) for c in overview.channels]
    assert refs == [("C1", False, ["AI"]), ("U1", True, ["topic of U1"])]
    assert overview.channels[0].last_brief == date(2026, 12, 1)
    assert overview.feeds.by_status == {"failing": 1}
    failing = "failing: the feed's server is having trouble (HTTP 500)"
    assert overview.feeds.failing == [("Show", failing)]


FOLLOWUP_FILES = (
    "talkpython/309-life-lessons.vtt",
    "talkpython/432-beanie-pydantic-upgrade.vtt",
    "changelog/gotime__go-time-253.md",
)


@pytest.fixture
def followup_library(any_engine, corpus, settings):
    """Three real devset episodes, indexed, and the services that answer from them."""
    from bot.core.services import Services
    from tests.ask.devset import index_devset

    ids = index_devset(any_engine, corpus / "devset", only=FOLLOWUP_FILES)
    services = Services(settings=settings, engine=any_engine)
    with Session(any_engine) as session:
        yield services, session, ids


def test_followup_is_answered_from_the_items_episode(followup_library):
    services, session, ids = followup_library
    episode = ids["talkpython/309-life-lessons.vtt"]
    question = "How many times did James Dyson fail before his vacuum cleaner worked?"
    answer = followups.answer_followup(services, session, question, episode)
    assert answer.answered and "5,000 times" in answer.answer
    assert {c.episode_id for c in answer.citations} == {episode}


def test_followup_the_episode_does_not_cover_gets_the_answer_from_all_shows(followup_library):
    services, session, ids = followup_library
    episode = ids["talkpython/309-life-lessons.vtt"]
    answer = followups.answer_followup(
        services, session, "How much faster is Pydantic 2 than Pydantic 1?", episode
    )
    assert answer.answer.startswith("That episode doesn't cover this. From all your shows:")
    assert answer.answered and "22 times faster" in answer.answer
    assert {c.episode_id for c in answer.citations} == {
        ids["talkpython/432-beanie-pydantic-upgrade.vtt"]
    }


def test_followup_no_show_covers_says_so_once(followup_library):
    services, session, ids = followup_library
    episode = ids["changelog/gotime__go-time-253.md"]
    answer = followups.answer_followup(
        services, session, "What is the capital city of Australia?", episode
    )
    assert not answer.answered
    assert answer.answer.startswith("That episode doesn't cover this. The shows you follow don't")


def test_thread_followups_in_chat_take_the_same_path(followup_library):
    from handlers.chat.replies import CommandRequest
    from handlers.chat.router import dispatch

    services, _, ids = followup_library
    episode = ids["talkpython/309-life-lessons.vtt"]
    request = CommandRequest(
        platform="slack",
        channel_ref="C1",
        user_id="U1",
        text="ask How much faster is Pydantic 2 than Pydantic 1?",
        episode_id=episode,
    )
    reply = dispatch(services, request)
    assert reply.answer is not None and reply.visibility == "in_channel"
    assert reply.answer.answer.startswith("That episode doesn't cover this.")
    missing = CommandRequest(
        platform="slack", channel_ref="C1", user_id="U1", text="ask why?", episode_id=99999
    )
    error = dispatch(services, missing)
    assert error.error and "No episode with id 99999" in error.lines[0].text
