"""Processing keeps no write transaction open while the insight engine or the embedder runs."""

from __future__ import annotations

import sys
import threading
import types
from collections.abc import Callable, Iterator, Sequence

import numpy as np
import pytest
from sqlalchemy import text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.config import Settings
from bot.core.models import Channel, Chunk, Episode, Feedback, Insight, TranscriptSegment
from bot.core.ports import EpisodeContext, Extraction
from bot.core.services import Services
from bot.core.values import Segment
from bot.insights.extractive import ExtractiveEngine
from bot.jobs.pipeline import process_episode
from bot.search.index import index_episode
from tests.fakes.insights_data import (
    dialogue_segments,
    seed_channel,
    seed_episode,
    seed_insight,
    seed_podcast,
)
from tests.fakes.search_embedder import HashingEmbedder
from tests.fakes.search_library import build_library
from tests.fakes.transcripts_fetcher import FakeTranscriptFetcher

WAIT_S = 10  # only reached when the code under test hangs


class Gate:
    """Holds a call open until the test has tried its concurrent write."""

    def __init__(self) -> None:
        self.entered, self.release = threading.Event(), threading.Event()

    def hold(self) -> None:
        self.entered.set()
        assert self.release.wait(WAIT_S), "the test never released the gate"


class GatedEngine:
    """The extractive engine, paused mid-extraction on a gate."""

    def __init__(self, gate: Gate, settings: Settings) -> None:
        self.gate, self.inner = gate, ExtractiveEngine(settings)

    def extract(self, episode: EpisodeContext, segments: Sequence[Segment]) -> Extraction:
        self.gate.hold()
        return self.inner.extract(episode, segments)


class GatedEmbedder(HashingEmbedder):
    """The hashing embedder, paused on a gate before its first batch."""

    def __init__(self, gate: Gate) -> None:
        super().__init__()
        self.gate = gate

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not self.gate.entered.is_set():
            self.gate.hold()
        return super().embed(texts)


def _vtt(segments: Sequence[Segment]) -> bytes:
    def stamp(seconds: float) -> str:
        return f"{int(seconds // 3600):02}:{int(seconds // 60 % 60):02}:{seconds % 60:06.3f}"

    cues = [f"{stamp(s.start)} --> {stamp(s.end)}\n<v {s.speaker}>{s.text}" for s in segments]
    return ("WEBVTT\n\n" + "\n\n".join(cues) + "\n").encode()


@pytest.fixture
def publisher_transcript(monkeypatch) -> None:
    """Serve the episode's transcript from a fake ``bot.feeds.fetching.SafeFetcher``."""
    fetcher = FakeTranscriptFetcher(routes={"https://ex.com/t.vtt": _vtt(dialogue_segments())})
    module = types.ModuleType("bot.feeds.fetching")
    module.SafeFetcher = lambda settings: fetcher  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "bot.feeds.fetching", module)


def _seed(engine: Engine) -> tuple[int, int]:
    with Session(engine, expire_on_commit=False) as session:
        episode = seed_episode(session, seed_podcast(session, "Field Notes"), "One")
        episode.status = "pending"
        episode.transcripts = [{"url": "https://ex.com/t.vtt", "type": "text/vtt"}]
        session.add(episode)
        channel = seed_channel(session, "C1", ["models"])
        session.commit()
        return episode.id, channel.id


def _write_while_held(engine: Engine, gate: Gate, work: Callable[[], None], channel_id: int):
    """Run ``work`` in a thread; while it waits at ``gate``, rename a channel (lock wait ≤ 1 s)."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # reported to the test thread
            errors.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    try:
        assert gate.entered.wait(WAIT_S), errors
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA busy_timeout = 1000")
            else:
                conn.execute(text("SET lock_timeout = '1s'"))
            conn.execute(update(Channel).where(Channel.id == channel_id).values(name="renamed"))
            conn.commit()
    finally:
        gate.release.set()
        worker.join(WAIT_S)
    assert not errors, errors


@pytest.fixture
def gate() -> Iterator[Gate]:
    gate = Gate()
    yield gate
    gate.release.set()


def test_others_can_write_while_the_insight_engine_runs(
    any_engine, settings, gate, publisher_transcript
) -> None:
    episode_id, channel_id = _seed(any_engine)
    services = Services(
        settings=settings, engine=any_engine, insight_engine=GatedEngine(gate, settings)
    )
    _write_while_held(any_engine, gate, lambda: process_episode(services, episode_id), channel_id)
    with Session(any_engine) as session:
        assert session.get(Episode, episode_id).status == "done"
        assert session.get(Channel, channel_id).name == "renamed"
        assert session.exec(select(TranscriptSegment)).first() is not None
        assert session.exec(select(Insight)).first() is not None


def test_others_can_write_while_the_pipeline_embeds(
    any_engine, settings, gate, publisher_transcript
) -> None:
    episode_id, channel_id = _seed(any_engine)
    services = Services(
        settings=settings,
        engine=any_engine,
        insight_engine=ExtractiveEngine(settings),
        embedder=GatedEmbedder(gate),
    )
    _write_while_held(any_engine, gate, lambda: process_episode(services, episode_id), channel_id)
    with Session(any_engine) as session:
        kinds = set(session.exec(select(Chunk.kind).where(Chunk.episode_id == episode_id)))
        assert kinds == {"transcript", "summary", "insight"}
        blobs = session.exec(select(Chunk.embedding)).all()
        assert blobs and all(blob is not None for blob in blobs)  # every chunk embedded ahead


def test_others_can_write_while_index_episode_embeds(any_engine, gate) -> None:
    with Session(any_engine, expire_on_commit=False) as session:
        ids = build_library(session)
        channel_id = seed_channel(session, "C1", ["cars"]).id
        session.commit()
    before = _chunk_texts(any_engine, ids["spring"])

    def reindex() -> None:
        with Session(any_engine) as session:
            index_episode(session, ids["spring"], embedder=GatedEmbedder(gate))
            session.commit()

    _write_while_held(any_engine, gate, reindex, channel_id)
    assert _chunk_texts(any_engine, ids["spring"]) == before
    with Session(any_engine) as session:
        query = select(Chunk.embedding).where(Chunk.episode_id == ids["spring"])
        assert all(blob is not None for blob in session.exec(query))


def _chunk_texts(engine: Engine, episode_id: int) -> list[str]:
    with Session(engine) as session:
        query = select(Chunk.text).where(Chunk.episode_id == episode_id).order_by(Chunk.text)
        return list(session.exec(query))


def test_a_rerun_embeds_ahead_the_rated_insights_it_keeps(
    any_engine, settings, publisher_transcript
) -> None:
    episode_id, channel_id = _seed(any_engine)
    with Session(any_engine) as session:
        episode = session.get(Episode, episode_id)
        rated = seed_insight(session, episode, "Rated claim no transcript line makes.")
        session.add(Feedback(channel_id=channel_id, insight_id=rated.id, value=1))
        session.commit()
    embedder = HashingEmbedder()
    services = Services(
        settings=settings,
        engine=any_engine,
        insight_engine=ExtractiveEngine(settings),
        embedder=embedder,
    )
    process_episode(services, episode_id)
    with Session(any_engine) as session:
        chunks = session.exec(select(Chunk).where(Chunk.episode_id == episode_id)).all()
    assert any(c.text.startswith("Rated claim") for c in chunks)
    assert all(c.embedding is not None for c in chunks)
    assert len(embedder.calls) == 1  # one batch, before the write transaction
