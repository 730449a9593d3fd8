"""Following feeds and storing their items, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from bot.core.errors import NotFound, UnsafeURL
from bot.core.models import Episode
from bot.feeds.parse import ParsedFeed, ParsedItem
from bot.feeds.store import (
    add_feed,
    due_feeds,
    list_feeds,
    remove_feed,
    store_items,
    subscription_url,
)

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def db_session(any_engine):
    with Session(any_engine, expire_on_commit=False) as session:
        yield session


def item(identity: str, **fields) -> ParsedItem:
    kind, _, value = identity.partition(":")
    defaults = {"guid": value if kind == "guid" else None, "title": value}
    return ParsedItem(identity=identity, **{**defaults, **fields})


def test_add_is_idempotent_and_normalises(db_session, settings):
    first = add_feed(db_session, "https://Feeds.Example.com/rss", settings=settings)
    again = add_feed(db_session, "https://feeds.example.com/rss", settings=settings)
    assert first.id == again.id and first.url == "https://feeds.example.com/rss"
    with pytest.raises(UnsafeURL):
        add_feed(db_session, "http://10.0.0.1/rss", settings=settings)
    assert add_feed(db_session, "http://10.0.0.1/rss", settings=settings, allow_private=True)


def test_remove_hides_and_re_adding_resumes(db_session, settings):
    podcast = add_feed(db_session, "https://example.com/rss", settings=settings)
    remove_feed(db_session, podcast.id)
    assert list_feeds(db_session) == []
    assert due_feeds(db_session, NOW, only_due=False) == []
    with pytest.raises(NotFound):
        remove_feed(db_session, podcast.id)
    with pytest.raises(NotFound):
        remove_feed(db_session, 12345)
    again = add_feed(db_session, "https://example.com/rss", settings=settings)
    assert again.id == podcast.id and again.status == "active"
    assert due_feeds(db_session, NOW) == [podcast.id]


def test_store_items_never_duplicates_and_updates_edits(db_session, settings):
    podcast = add_feed(db_session, "https://example.com/rss", settings=settings)
    audio = "https://cdn.example.com/1.mp3"
    first = ParsedFeed(title="Show", items=[item(f"enclosure:{audio}", audio_url=audio)])
    result = store_items(db_session, podcast, first, now=NOW, initial_episodes=3)
    assert (result.new, result.queued) == (1, 1)
    # the publisher adds a guid later: same enclosure, so the same episode, now with a guid
    later = ParsedFeed(title="Show", items=[item("guid:abc", audio_url=audio, title="Fixed")])
    podcast.last_success_at = NOW
    result = store_items(db_session, podcast, later, now=NOW, initial_episodes=3)
    assert (result.new, result.updated, result.queued) == (0, 1, 0)
    [episode] = db_session.exec(select(Episode)).all()
    assert (episode.guid, episode.title, episode.status) == ("abc", "Fixed", "pending")
    result = store_items(db_session, podcast, later, now=NOW, initial_episodes=3)
    assert (result.new, result.updated) == (0, 0)


def test_a_new_item_reusing_an_enclosure_never_takes_over_its_episode(db_session, settings):
    podcast = add_feed(db_session, "https://example.com/rss", settings=settings)
    audio = "https://cdn.example.com/same.mp3"
    old = item("guid:old", audio_url=audio, title="Old")
    store_items(
        db_session, podcast, ParsedFeed(title="Show", items=[old]), now=NOW, initial_episodes=3
    )
    podcast.last_success_at = NOW
    db_session.commit()
    # newest first: the new item comes before the real one and shares its enclosure
    newer = item("guid:new", audio_url=audio, title="New")
    parsed = ParsedFeed(title="Show", items=[newer, old])
    for _poll in range(2):
        result = store_items(db_session, podcast, parsed, now=NOW, initial_episodes=3)
        db_session.commit()
    assert (result.new, result.updated) == (0, 0)
    rows = db_session.exec(select(Episode.identity, Episode.guid, Episode.title)).all()
    assert sorted(rows) == [("guid:new", "new", "New"), ("guid:old", "old", "Old")]


def test_first_poll_queues_only_the_newest(db_session, settings):
    podcast = add_feed(db_session, "https://example.com/rss", settings=settings)
    dated = [
        item(f"guid:{n}", published_at=datetime(2026, 11, n, tzinfo=UTC)) for n in (3, 9, 1, 7)
    ]
    parsed = ParsedFeed(title="Show", items=[*dated, item("guid:undated")])
    result = store_items(db_session, podcast, parsed, now=NOW, initial_episodes=2)
    assert (result.new, result.queued) == (5, 2)
    pending = db_session.exec(select(Episode.guid).where(Episode.status == "pending")).all()
    assert sorted(pending) == ["7", "9"]


@pytest.mark.parametrize(
    ("pasted", "feed"),
    [
        ("feed://example.com/rss", "https://example.com/rss"),
        ("feed:https://example.com/rss", "https://example.com/rss"),
        ("itpc://example.com/rss", "https://example.com/rss"),
        ("podcast://example.com/rss", "https://example.com/rss"),
        (" https://example.com/rss ", "https://example.com/rss"),
    ],
)
def test_podcast_app_links_name_their_feed(pasted, feed):
    assert subscription_url(pasted) == feed
