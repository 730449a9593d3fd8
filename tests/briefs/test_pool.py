"""The cached insight pool follows edits to what it shows, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from bot.briefs.pool import load_pool
from bot.core.models import Insight
from bot.feeds.parse import ParsedFeed, ParsedItem
from bot.feeds.polling_state import record_not_modified
from bot.feeds.store import add_feed, store_items

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def db_session(any_engine):
    with Session(any_engine, expire_on_commit=False) as session:
        yield session


def feed(show: str, title: str, audio: str) -> ParsedFeed:
    """A feed of one episode (guid 1)."""
    item = ParsedItem(identity="guid:1", guid="1", title=title, audio_url=audio, published_at=NOW)
    return ParsedFeed(title=show, items=[item])


def test_a_re_polled_edit_reaches_the_pool_and_a_plain_poll_keeps_it(db_session, settings):
    podcast = add_feed(db_session, "https://example.com/rss", settings=settings)
    first = feed("Show", "Old title", "https://cdn.example.com/old.mp3")
    [episode_id] = store_items(db_session, podcast, first, now=NOW, initial_episodes=3).queued_ids
    podcast.last_success_at = NOW
    db_session.add(Insight(episode_id=episode_id, text="Ship daily.", quote="we ship", start=61))
    db_session.commit()
    pool = load_pool(db_session)
    assert (pool.items[0].podcast, pool.items[0].episode) == ("Show", "Old title")

    record_not_modified(podcast, {}, NOW + timedelta(minutes=30), settings)  # nothing shown changed
    db_session.add(podcast)
    db_session.commit()
    assert load_pool(db_session) is pool

    edited = feed("Show", "New title", "https://cdn.example.com/new.mp3")
    store_items(db_session, podcast, edited, now=NOW + timedelta(hours=1), initial_episodes=3)
    db_session.commit()
    [shown] = load_pool(db_session).items
    assert (shown.episode, shown.url) == ("New title", "https://cdn.example.com/new.mp3#t=61")

    renamed = feed("Show (renamed)", "New title", "https://cdn.example.com/new.mp3")
    store_items(db_session, podcast, renamed, now=NOW + timedelta(hours=2), initial_episodes=3)
    db_session.commit()
    assert load_pool(db_session).items[0].podcast == "Show (renamed)"
