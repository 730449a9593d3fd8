"""Scheduling figures: brief ticks, episode claims, and worker scaling on PostgreSQL.

Run: ``.venv/bin/python -m bench.scheduling`` (PostgreSQL parts skip when it is unreachable;
set PODBRIEF_TEST_PG_URL to point elsewhere).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import text, update
from sqlmodel import Session

from bot.core import db
from bot.core.config import Settings
from bot.core.models import Channel, Episode, Podcast
from bot.core.services import Services
from bot.core.values import Brief
from bot.delivery.posting import deliver_due
from bot.jobs.work import claim_episodes, mark_done

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("PODBRIEF_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


class FixedClock:
    def now(self) -> datetime:
        return NOW


class NullPublisher:
    platform = "console"

    def send_brief(self, channel, brief, *, delivery_id: int) -> str:
        return str(delivery_id)

    def find_sent(self, channel, *, delivery_id: int) -> str | None:
        return None


def one_item_brief(services, session, channel, day: date) -> Brief:
    return Brief(date=day, topics=[], items=[], empty_reason="bench")


def bench_tick(engine, channels: int) -> None:
    with Session(engine) as session:
        session.add_all(
            Channel(platform="console", channel_ref=f"K{n}", timezone="Europe/Berlin")
            for n in range(channels)
        )
        session.commit()
    services = Services(
        settings=Settings(_env_file=None, post_empty_briefs=True), engine=engine, clock=FixedClock()
    )
    started = time.perf_counter()
    outcome = deliver_due(services, {"console": NullPublisher()}, compose=one_item_brief)
    first = time.perf_counter() - started
    started = time.perf_counter()
    deliver_due(services, {"console": NullPublisher()}, compose=one_item_brief)
    idle = time.perf_counter() - started
    print(
        f"  brief tick, {channels} channels: first {first:.2f} s ({channels / first:.0f} briefs/s,"
        f" {dict(outcome)}), idle tick after {idle * 1000:.0f} ms"
    )


def seed_episodes(engine, count: int) -> None:
    with Session(engine) as session:
        podcast = Podcast(url=f"https://example.org/{uuid.uuid4().hex}.xml")
        session.add(podcast)
        session.flush()
        session.add_all(
            Episode(podcast_id=podcast.id, identity=f"g{n}", status="pending") for n in range(count)
        )
        session.commit()


def bench_claims(engine, count: int) -> None:
    seed_episodes(engine, count)
    started = time.perf_counter()
    while ids := claim_episodes(engine, worker="bench", limit=1, now=NOW):
        mark_done(engine, ids[0], worker="bench", now=NOW)
    elapsed = time.perf_counter() - started
    print(f"  claim + done, one at a time: {count / elapsed:.0f} episodes/s ({count} episodes)")


def bench_workers(url: str, engine, episodes: int, step_s: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, 2, 4):
            with Session(engine) as session:
                session.exec(update(Episode).values(status="pending", attempts=0))
                session.commit()
            wall = run_workers(url, workers, Path(tmp), step_s)
            ideal = episodes * step_s / workers
            print(
                f"  {workers} worker(s), {episodes} × {step_s * 1000:.0f} ms: {wall:.2f} s "
                f"(pure step time {ideal:.2f} s)"
            )


def run_workers(url: str, count: int, log_dir: Path, step_s: float) -> float:
    start_at = time.time() + 2.5
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.process_child"],
            cwd=ROOT,
            env={
                **os.environ,
                "DATABASE_URL": url,
                "AUTO_MIGRATE": "false",
                "WORKER_ID": f"bench-{count}-{n}",
                "PROCESS_CONCURRENCY": "1",
                "PODBRIEF_TEST_STEP_S": str(step_s),
                "PODBRIEF_TEST_LOG": str(log_dir / f"{count}-{n}.log"),
                "PODBRIEF_TEST_START_AT": str(start_at),
            },
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(count)
    ]
    reports = [json.loads(child.communicate()[0].strip().splitlines()[-1]) for child in children]
    return max(r["finished"] for r in reports) - min(r["started"] for r in reports)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = db.create_db_engine(f"sqlite:///{tmp}/bench.db")
        db.upgrade(engine)
        print("SQLite")
        bench_tick(engine, 500)
        bench_claims(engine, 300)
        engine.dispose()
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = db.create_db_engine(PG_URL, connect_args={"connect_timeout": 2})
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # PostgreSQL is optional for the bench
        print(f"PostgreSQL skipped: {exc.__class__.__name__}")
        return
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    engine = db.create_db_engine(url)
    try:
        db.upgrade(engine)
        print("PostgreSQL")
        bench_tick(engine, 500)
        bench_claims(engine, 300)
        bench_workers(url, engine, 200, 0.05)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
