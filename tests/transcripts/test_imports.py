"""Importing transcript files as episodes, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from bot.core.errors import InvalidInput, TranscriptError
from bot.feeds.catalog import list_episodes, slugify
from bot.transcripts.imports import import_episode, parse_published
from bot.transcripts.store import load_segments
from tests.conftest import TEST_SAMPLES

SAMPLES = TEST_SAMPLES


def test_import_is_idempotent_and_files_by_podcast_name(any_engine) -> None:
    data = (SAMPLES / "voices.vtt").read_bytes()
    with Session(any_engine) as session:
        episode, count = import_episode(
            session,
            data,
            filename="voices.vtt",
            podcast_name="Field Notes",
            title="Maps",
            published=datetime(2026, 11, 1, tzinfo=UTC),
        )
        again, again_count = import_episode(
            session, data, filename="copy.vtt", podcast_name="field  notes"
        )
        other, _ = import_episode(
            session,
            (SAMPLES / "timed.txt").read_bytes(),
            filename="timed.txt",
            podcast_name="Field Notes",
            published=datetime(2026, 11, 2, tzinfo=UTC),
        )
        session.commit()
        assert (again.id, again_count) == (episode.id, count) == (episode.id, 5)
        assert other.id != episode.id and other.podcast_id == episode.podcast_id
        assert episode.title == "Maps" and episode.duration_s == 72.0
        assert load_segments(session, episode.id)[0].speaker == "Ann Lee"
        assert [e.id for e in list_episodes(session, podcast="Field Notes")] == [
            other.id,
            episode.id,
        ]
        assert len(list_episodes(session, limit=1)) == 1


def test_a_file_that_cannot_be_parsed_imports_nothing(any_engine) -> None:
    with Session(any_engine) as session:
        with pytest.raises(TranscriptError):
            import_episode(session, b"\x00\xff" * 100, filename="x.vtt", podcast_name="P")
        assert list_episodes(session) == []


def test_published_dates_and_slugs() -> None:
    assert parse_published("2026-11-01") == datetime(2026, 11, 1, tzinfo=UTC)
    assert parse_published("2026-11-01T10:00:00Z") == datetime(2026, 11, 1, 10, tzinfo=UTC)
    assert parse_published(None) is None
    with pytest.raises(InvalidInput):
        parse_published("1st of November")
    assert slugify("The Inference Hour!") == "the-inference-hour"
    assert slugify("!!!") == "podcast"
