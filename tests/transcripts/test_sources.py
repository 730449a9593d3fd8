"""Transcript sources: choosing and fetching the publisher's transcript, storing segments."""

from __future__ import annotations

import sys
import types

import pytest
from sqlmodel import Session

from bot.core.errors import FetchError, TranscriptError, UnsafeURL
from bot.core.models import Episode, Podcast
from bot.core.services import Services
from bot.core.values import Segment
from bot.transcripts import sources
from bot.transcripts.sources import choose_transcripts, fetch_publisher_transcript, obtain_segments
from bot.transcripts.store import load_segments, store_segments
from tests.conftest import TEST_SAMPLES
from tests.fakes.transcripts_fetcher import FakeTranscriptFetcher

SAMPLES = TEST_SAMPLES
VTT = (SAMPLES / "voices.vtt").read_bytes()
JSON = b'{"version": "1.0.0", "segments": [{"speaker": "Ann", "startTime": 1, "endTime": 2, "body": "Hello there."}]}'  # noqa: E501

ENTRIES = [
    {"url": "https://ex.com/t.txt", "type": "text/plain"},
    {"url": "https://ex.com/t.vtt", "type": "text/vtt", "rel": "captions"},
    {"url": "https://ex.com/t.html", "type": "text/html"},
    {"url": "https://ex.com/t.srt", "type": "application/x-subrip"},
    {"url": "https://ex.com/t.json", "type": "application/json"},
    {"url": "https://ex.com/t2.vtt", "type": "text/vtt"},
]


def test_choose_transcripts_orders_best_first_with_captions_last() -> None:
    chosen = [e["url"].rsplit("/", 1)[1] for e in choose_transcripts(ENTRIES)]
    assert chosen == ["t.json", "t2.vtt", "t.srt", "t.html", "t.txt", "t.vtt"]


def test_choose_transcripts_uses_the_url_when_the_type_is_missing_and_skips_no_url() -> None:
    entries = [{"url": "https://ex.com/a.html"}, {"type": "application/json"}, {"url": "b.vtt"}]
    assert [e["url"] for e in choose_transcripts(entries)] == ["b.vtt", "https://ex.com/a.html"]


async def test_fetch_takes_the_best_and_respects_the_size_cap() -> None:
    fetcher = FakeTranscriptFetcher(routes={"https://ex.com/t.json": JSON})
    entry, parsed = await fetch_publisher_transcript(ENTRIES, fetcher, max_bytes=10_000)
    assert entry["url"] == "https://ex.com/t.json"
    assert parsed.format == "json"
    assert parsed.segments == [Segment(1.0, 2.0, "Ann", "Hello there.")]
    assert fetcher.calls == [("https://ex.com/t.json", 10_000)]


async def test_fetch_falls_back_on_fetch_and_parse_failures() -> None:
    fetcher = FakeTranscriptFetcher(
        routes={
            "https://ex.com/t.json": b'{"segments": [',  # truncated
            "https://ex.com/t2.vtt": UnsafeURL("private address"),
            "https://ex.com/t.srt": 500,
            "https://ex.com/t.html": b"x" * 2000,  # over the cap
            "https://ex.com/t.txt": VTT,  # a VTT served as text/plain
        }
    )
    entry, parsed = await fetch_publisher_transcript(ENTRIES, fetcher, max_bytes=1000)
    assert entry["url"] == "https://ex.com/t.txt"
    assert parsed.format == "vtt"
    assert [url for url, _ in fetcher.calls][:5] == [
        "https://ex.com/t.json",
        "https://ex.com/t2.vtt",
        "https://ex.com/t.srt",
        "https://ex.com/t.html",
        "https://ex.com/t.txt",
    ]


async def test_fetch_reports_every_reason_when_nothing_works() -> None:
    fetcher = FakeTranscriptFetcher(routes={"https://ex.com/t.json": FetchError("timed out")})
    with pytest.raises(TranscriptError) as info:
        await fetch_publisher_transcript(ENTRIES[-2:], fetcher, max_bytes=1000)
    message = str(info.value)
    assert message.startswith("no usable publisher transcript")
    assert "timed out" in message and "HTTP 404" in message


async def test_fetch_with_no_entries_says_so() -> None:
    with pytest.raises(TranscriptError, match="publishes no transcript"):
        await fetch_publisher_transcript([], FakeTranscriptFetcher(), max_bytes=1000)


# --- storage and obtain_segments ---------------------------------------------------------------


def _episode(session: Session, transcripts: list[dict] | None = None) -> Episode:
    podcast = Podcast(url="https://ex.com/feed.xml", title="Field Notes")
    session.add(podcast)
    session.flush()
    episode = Episode(
        podcast_id=podcast.id, identity="guid:1", title="One", transcripts=transcripts or []
    )
    session.add(episode)
    session.flush()
    return episode


def test_store_and_load_segments_round_trip(any_engine) -> None:
    segments = [Segment(0.0, 1.5, "Ann", "Hello."), Segment(1.5, 3.0, None, "Zoë says hi.")]
    with Session(any_engine) as session:
        episode = _episode(session)
        assert store_segments(session, episode.id, segments) == 2
        assert store_segments(session, episode.id, segments[:1] * 3) == 3  # replaces
        session.commit()
        episode_id = episode.id
    with Session(any_engine) as session:
        assert load_segments(session, episode_id) == segments[:1] * 3


@pytest.fixture
def services(settings, engine) -> Services:
    return Services(settings=settings, engine=engine)


@pytest.fixture
def fake_safe_fetcher(monkeypatch) -> FakeTranscriptFetcher:
    """Stand in for ``bot.feeds.fetching.SafeFetcher`` (the feeds engineer's module)."""
    fetcher = FakeTranscriptFetcher(
        routes={"https://ex.com/t.vtt": VTT},
        headers={"https://ex.com/t.vtt": {"content-type": "text/vtt"}},
    )
    module = types.ModuleType("bot.feeds.fetching")
    module.SafeFetcher = lambda settings: fetcher  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "bot.feeds.fetching", module)
    return fetcher


def test_obtain_segments_prefers_stored_segments(services, session, fake_safe_fetcher) -> None:
    episode = _episode(session, [{"url": "https://ex.com/t.vtt", "type": "text/vtt"}])
    store_segments(session, episode.id, [Segment(0.0, 1.0, None, "Stored.")])
    assert obtain_segments(services, session, episode) == [Segment(0.0, 1.0, None, "Stored.")]
    assert fake_safe_fetcher.calls == []


def test_obtain_segments_fetches_parses_and_records_the_publisher_transcript(
    services, session, fake_safe_fetcher
) -> None:
    episode = _episode(
        session, [{"url": "https://ex.com/t.vtt", "type": "text/vtt", "language": "en"}]
    )
    segments = obtain_segments(services, session, episode)
    assert episode.language == "en"
    assert segments[0].speaker == "Ann Lee"
    assert (episode.transcript_source, episode.transcript_format) == ("publisher", "vtt")
    assert load_segments(session, episode.id) == segments
    assert fake_safe_fetcher.calls == [
        ("https://ex.com/t.vtt", services.settings.max_transcript_bytes)
    ]
    assert fake_safe_fetcher.closed


def test_obtain_segments_without_any_source_explains_why(services, session) -> None:
    episode = _episode(session)
    with pytest.raises(TranscriptError, match="the feed publishes none and transcription is off"):
        obtain_segments(services, session, episode)


def test_an_unusable_publisher_transcript_raises_its_reason(
    services, session, fake_safe_fetcher
) -> None:
    episode = _episode(session, [{"url": "https://ex.com/gone.srt"}])
    with pytest.raises(TranscriptError, match=r"gone\.srt: HTTP 404"):
        obtain_segments(services, session, episode)
    assert load_segments(session, episode.id) == []


def test_obtain_segments_falls_back_to_transcription(
    services, session, fake_safe_fetcher, monkeypatch
) -> None:
    calls: list[int] = []

    def transcribe_episode(services, session, episode) -> list[Segment]:
        calls.append(episode.id)
        return [Segment(0.0, 2.0, "A", "Transcribed.")]

    monkeypatch.setattr(sources, "transcribe_episode", transcribe_episode)
    services.transcriber = object()
    episode = _episode(session, [{"url": "https://ex.com/gone.srt"}])
    assert obtain_segments(services, session, episode)[0].text == "Transcribed."
    assert calls == [episode.id]


def test_the_pipeline_leaves_an_unparseable_episode_pending_with_the_reason(
    services, monkeypatch
) -> None:
    pytest.importorskip(
        "bot.search.retrieval", reason="bot.search.retrieval (search area) not merged yet"
    )
    from bot.jobs.pipeline import process_pending

    fetcher = FakeTranscriptFetcher(routes={"https://ex.com/t.json": b'{"segments": [{"st'})
    module = types.ModuleType("bot.feeds.fetching")
    module.SafeFetcher = lambda settings: fetcher  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "bot.feeds.fetching", module)
    with Session(services.engine, expire_on_commit=False) as session:
        episode = _episode(session, [{"url": "https://ex.com/t.json", "type": "application/json"}])
        episode.status = "pending"
        session.add(episode)
        session.commit()
    assert process_pending(services) == {"done": 0, "failed": 1}
    with Session(services.engine) as session:
        stored = session.get(Episode, episode.id)
        assert stored.status == "failed"  # retried later with backoff (bot/work.py)
        assert "invalid JSON transcript" in stored.status_reason


async def test_the_failure_reason_names_transcripts_without_url_secrets() -> None:
    entries = [{"url": "https://ex.com/t.json?token=s3cret", "type": "application/json"}]
    with pytest.raises(TranscriptError) as info:
        await fetch_publisher_transcript(entries, FakeTranscriptFetcher(), max_bytes=1000)
    message = str(info.value)
    assert "https://ex.com/t.json: HTTP 404" in message
    assert "s3cret" not in message
