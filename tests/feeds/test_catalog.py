"""Catalog lookups: the hint `ask` gives on a database with nothing processed."""

from __future__ import annotations

from sqlmodel import Session

from bot.core.models import Episode, Podcast
from bot.feeds.catalog import empty_library_hint


def test_an_empty_library_says_how_to_add_episodes(engine):
    with Session(engine) as session:
        shell = empty_library_hint(session)
        assert shell is not None and "podbrief feeds add URL --now" in shell
        chat = empty_library_hint(session, chat=True)
        assert chat is not None and "follow FEED_URL" in chat and "podbrief" not in chat
        podcast = Podcast(url="https://example.org/f.xml", title="Show")
        session.add(podcast)
        session.flush()
        session.add(Episode(podcast_id=podcast.id, identity="guid:1", status="pending"))
        session.flush()
        assert empty_library_hint(session) is not None  # queued is not answerable yet
        session.add(Episode(podcast_id=podcast.id, identity="guid:2", status="done"))
        session.flush()
        assert empty_library_hint(session) is None
