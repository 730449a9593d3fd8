"""Insight extraction per episode-hour, and brief composition for 1,000 channels.

Run: ``.venv/bin/python -m bench.insights [--channels N] [--insights N] [--only composition]``.
Prints figures only; composition is printed beside its anchor (the same channels composed one
at a time) from the same run, with the ratio.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from wordfreq import zipf_frequency

from bot.briefs.compose import compose_brief, compose_briefs
from bot.core import db
from bot.core.config import Settings
from bot.core.models import Channel, Episode, Insight, Podcast, Subscription
from bot.core.ports import EpisodeContext
from bot.core.services import Services
from bot.core.values import Brief, Segment
from bot.demo.run import SAMPLES_DIR
from bot.insights.extractive import ExtractiveEngine
from bot.transcripts.parse import parse_transcript

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "transcripts"
SAMPLES = SAMPLES_DIR
DAY = date(2026, 12, 1)

DOMAINS = {
    "open-source AI": ["open-weight models", "DeepSeek", "Llama", "fine-tuning", "inference"],
    "developer tools": ["the linter", "the debugger", "the package manager", "CI", "the IDE"],
    "security": ["phishing", "a vulnerability", "encryption", "the breach", "malware"],
    "databases": ["Postgres", "SQLite", "the query planner", "indexes", "replication"],
    "climate tech": ["heat pumps", "grid batteries", "solar", "the power grid", "carbon"],
    "startups": ["founders", "the seed round", "venture funding", "hiring", "pricing"],
    "podcasting": ["listeners", "RSS feeds", "show notes", "audio quality", "episodes"],
    "web": ["JavaScript", "the browser", "CSS", "web components", "bundlers"],
}
VERBS = ["cut the cost of", "made", "replaced", "changed how teams use", "doubled the value of"]
REASONS = [
    "because the old approach did not scale",
    "which surprised most of the engineers involved",
    "and the savings showed up within a quarter",
    "since customers noticed the difference immediately",
]


def episode_hour_figures() -> None:
    """Seconds of extraction per hour of audio over the corpus (or the samples)."""
    files = sorted(p for p in CORPUS.rglob("*") if p.suffix in {".vtt", ".srt", ".md"})
    files = files or sorted(p for p in SAMPLES.rglob("*") if p.suffix in {".vtt", ".srt"})
    engine = ExtractiveEngine(Settings(_env_file=None))
    audio = spent = cpu = 0.0
    for path in files:
        segments = _segments(path)
        if not segments:
            continue
        started, cpu_started = time.perf_counter(), time.process_time()
        engine.extract(EpisodeContext(1, "Bench", path.stem), segments)
        spent += time.perf_counter() - started
        cpu += time.process_time() - cpu_started
        audio += max(s.end for s in segments)
    hours = audio / 3600
    print(f"extraction: {len(files)} transcripts, {hours:.1f} audio hours, {spent:.1f} s")
    print(f"extraction: {spent / hours:.2f} s wall, {cpu / hours:.2f} s CPU per episode-hour")


def _segments(path: Path) -> list[Segment]:
    try:
        return parse_transcript(path.read_bytes(), filename=path.name).segments
    except Exception as exc:  # a bench reports and moves on
        print(f"  skipped {path.name}: {exc.__class__.__name__}")
        return []


def composition_figures(channels: int, insights: int) -> None:
    """Brief composition for ``channels`` channels over a synthetic store of ``insights``
    insights: the shared path (``compose_briefs``) beside its anchor from the same run, the
    same channels composed one at a time (``compose_brief``, no shared channel reads).

    Each path runs on its own copy of the store through a fresh engine, so neither inherits
    the other's pool, profiles or per-topic caches.
    """
    with tempfile.TemporaryDirectory() as tmp:
        seeded = Path(tmp) / "seeded.db"
        engine = db.create_db_engine(f"sqlite:///{seeded}")
        db.upgrade(engine)
        _seed(engine, random.Random(7), channels, insights)
        engine.dispose()
        zipf_frequency("warm", "en")  # the word list loads once per process: not either path's
        # why: shared first, so process-wide warm-ups (word caches) favour the anchor if anyone
        shared, _ = _timed(seeded, Path(tmp) / "shared.db", _shared)
        alone, timings = _timed(seeded, Path(tmp) / "alone.db", _one_at_a_time)
    same = all(alone.briefs[key] == shared.briefs[key] for key in alone.briefs)
    for name, run in (("shared (compose_briefs)", shared), ("one at a time (anchor)", alone)):
        print(
            f"composition {name}: {channels} channels over {insights} insights in "
            f"{run.wall:.2f} s wall, {run.cpu:.2f} s CPU (wall > CPU means a busy machine)"
        )
    print(
        f"composition anchor: first {timings[0] * 1000:.0f} ms (loads the pool), median "
        f"{statistics.median(timings) * 1000:.1f} ms, p95 "
        f"{sorted(timings)[int(len(timings) * 0.95)] * 1000:.1f} ms per channel"
    )
    print(
        f"composition: shared {shared.wall * 1000 / channels:.2f} ms per channel vs anchor "
        f"{alone.wall * 1000 / channels:.2f} ms: {alone.wall / shared.wall:.1f}x faster "
        f"(CPU {alone.cpu / shared.cpu:.1f}x) · identical briefs: {'yes' if same else 'NO'}"
    )


@dataclass
class _Run:
    briefs: dict[int, Brief]
    wall: float
    cpu: float


Composer = Callable[[Services, Session, list[Channel], list[float]], dict[int, Brief]]


def _timed(seeded: Path, copy: Path, compose: Composer) -> tuple[_Run, list[float]]:
    shutil.copyfile(seeded, copy)
    engine = db.create_db_engine(f"sqlite:///{copy}")
    services = Services(settings=Settings(_env_file=None), engine=engine)
    timings: list[float] = []
    with Session(engine) as session:
        rows = list(session.exec(select(Channel).order_by(Channel.id)))
        started, cpu_started = time.perf_counter(), time.process_time()
        briefs = compose(services, session, rows, timings)
        run = _Run(briefs, time.perf_counter() - started, time.process_time() - cpu_started)
    engine.dispose()
    assert all(b.items or b.empty_reason for b in briefs.values())
    return run, timings


def _one_at_a_time(
    services: Services, session: Session, rows: list[Channel], timings: list[float]
) -> dict[int, Brief]:
    briefs = {}
    for channel in rows:
        started = time.perf_counter()
        briefs[channel.id] = compose_brief(services, session, channel, DAY)
        timings.append(time.perf_counter() - started)
    return briefs


def _shared(
    services: Services, session: Session, rows: list[Channel], timings: list[float]
) -> dict[int, Brief]:
    return compose_briefs(services, session, rows, DAY)


def _seed(engine: Engine, rng: random.Random, channels: int, insights: int) -> None:
    topics = list(DOMAINS)
    with Session(engine) as session:
        episodes = []
        for p in range(50):
            podcast = Podcast(url=f"https://bench.test/{p}.xml", title=f"Show {p}")
            session.add(podcast)
            session.flush()
            for e in range(10):
                published = datetime(2026, 12, 1, tzinfo=UTC) - timedelta(hours=rng.randint(1, 240))
                episode = Episode(
                    podcast_id=podcast.id,
                    identity=f"{p}-{e}",
                    title=f"Ep {e}",
                    audio_url=f"https://bench.test/{p}/{e}.mp3",
                    published_at=published,
                )
                session.add(episode)
                episodes.append(episode)
        session.flush()
        for _ in range(insights):
            text = _claim(rng, topics)
            session.add(
                Insight(
                    episode_id=rng.choice(episodes).id,
                    text=text,
                    quote=text,
                    start=rng.uniform(0, 3600),
                    topics=[],
                    score=rng.random(),
                )
            )
        for c in range(channels):
            channel = Channel(platform="console", channel_ref=f"c{c}")
            session.add(channel)
            session.flush()
            for topic in rng.sample(topics, rng.randint(1, 3)):
                session.add(Subscription(channel_id=channel.id, topic=topic))
        session.commit()


def _claim(rng: random.Random, topics: list[str]) -> str:
    first, second = rng.sample(topics, 2)
    subject, obj = rng.choice(DOMAINS[first]), rng.choice(DOMAINS[second])
    return f"{subject.capitalize()} {rng.choice(VERBS)} {obj}, {rng.choice(REASONS)}."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--insights", type=int, default=5000)
    parser.add_argument("--only", choices=["extraction", "composition"])
    args = parser.parse_args()
    if args.only != "composition":
        episode_hour_figures()
    if args.only == "extraction":
        return
    composition_figures(args.channels, args.insights)


if __name__ == "__main__":
    main()
