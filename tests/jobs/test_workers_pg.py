"""Two worker processes on PostgreSQL share 200 episodes: each processed exactly once, faster.

This is the one test allowed to compare times; the margin is generous (two workers must beat
one, not halve it) and the figures are printed (run with -s) — ``bench/scheduling.py`` reports
them properly.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import Session

from bot.core.models import Episode, Podcast
from tests.conftest import PG_ADMIN_URL, _drop_pg_schema, _migrated_pg_engine

ROOT = Path(__file__).resolve().parents[2]
EPISODES = 200
STEP_S = 0.015


def run_workers(url: str, count: int, log_dir: Path) -> tuple[float, list[int]]:
    """Start ``count`` workers together; returns the processing wall time and ids processed."""
    start_at = time.time() + 2.0  # after every worker has imported
    children = []
    for n in range(count):
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "AUTO_MIGRATE": "false",
            "WORKER_ID": f"worker-{count}-{n}",
            "PROCESS_CONCURRENCY": "1",
            "PODBRIEF_TEST_STEP_S": str(STEP_S),
            "PODBRIEF_TEST_LOG": str(log_dir / f"{count}-{n}.log"),
            "PODBRIEF_TEST_START_AT": str(start_at),
        }
        children.append(
            subprocess.Popen(
                [sys.executable, "-m", "tests.fakes.process_child"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    reports = []
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))
    wall = max(r["finished"] for r in reports) - min(r["started"] for r in reports)
    processed = [
        int(line)
        for n in range(count)
        for line in (log_dir / f"{count}-{n}.log").read_text().split()
    ]
    return wall, processed


@pytest.mark.postgres
@pytest.mark.slow
def test_two_workers_process_each_episode_once_and_finish_sooner(tmp_path, pg_skip_reason):
    if pg_skip_reason:
        pytest.skip(pg_skip_reason)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = _migrated_pg_engine(schema)
    try:
        with Session(engine) as session:
            podcast = Podcast(url="https://example.org/many.xml")
            session.add(podcast)
            session.flush()
            session.add_all(
                Episode(podcast_id=podcast.id, identity=f"guid:{n}", status="pending")
                for n in range(EPISODES)
            )
            session.commit()
        # Commit durability is not what is measured here (claims are): skip the WAL flush wait
        # so the figures show the work sharing rather than this machine's disk.
        url = f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}%20-csynchronous_commit%3Doff"
        one_wall, one_ids = run_workers(url, 1, tmp_path)
        assert sorted(one_ids) == sorted(set(one_ids)) and len(one_ids) == EPISODES
        with Session(engine) as session:
            session.exec(update(Episode).values(status="pending", attempts=0))
            session.commit()
        two_wall, two_ids = run_workers(url, 2, tmp_path)
        assert len(two_ids) == EPISODES and len(set(two_ids)) == EPISODES  # exactly once
        print(
            f"\n200 episodes, {STEP_S * 1000:.0f} ms each: 1 worker {one_wall:.2f} s, "
            f"2 workers {two_wall:.2f} s"
        )
        assert two_wall < one_wall
    finally:
        engine.dispose()
        _drop_pg_schema(schema)
