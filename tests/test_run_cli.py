"""``podbrief run`` and ``podbrief process`` from the outside: clean SIGTERM stop, JSON output."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from bot import db
from bot.models import Episode, Podcast
from handlers.cli import build_app

ROOT = Path(__file__).resolve().parents[1]


def read_until(stream, needle: str, timeout: float) -> str:
    """Lines from ``stream`` until one contains ``needle`` (or the timeout passes)."""
    seen, deadline = "", time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([stream], [], [], 0.2)
        if ready:
            line = stream.readline()
            seen += line
            if needle in line:
                return seen
    raise AssertionError(f"{needle!r} not printed within {timeout}s; got:\n{seen}")


@pytest.mark.slow
def test_run_without_tokens_uses_the_console_and_stops_on_sigterm(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
        "LOG_LEVEL": "INFO",
    }
    child = subprocess.Popen(
        [sys.executable, "-c", "from handlers.cli import main; main()", "run"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        read_until(child.stdout, "briefs print to this terminal", timeout=30)
        read_until(child.stdout, "podbrief running as all", timeout=15)
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=25) == 0
        rest = child.stdout.read()
        assert "stopping: no new work" in rest
    finally:
        if child.poll() is None:
            child.kill()


def test_process_json_reports_counts(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    engine = db.create_db_engine(url)
    db.upgrade(engine)
    with Session(engine) as session:
        podcast = Podcast(url="https://example.org/p.xml")
        session.add(podcast)
        session.flush()
        session.add(Episode(podcast_id=podcast.id, identity="guid:1", status="pending"))
        session.commit()
    seen: list[int] = []
    monkeypatch.setattr("bot.pipeline.process_episode", lambda services, eid: seen.append(eid))
    result = CliRunner().invoke(build_app(), ["process", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"dead": 0, "done": 1, "failed": 0}
    assert seen == [1]
    engine.dispose()


def test_run_rejects_an_unknown_role(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'r.db'}")
    result = CliRunner().invoke(build_app(), ["run", "--role", "everything"])
    assert result.exit_code != 0
    assert "role must be one of" in result.output
