"""``podbrief run`` and ``podbrief process`` from the outside: clean SIGTERM stop, JSON output."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from bot.core import db
from bot.core.models import Episode, Podcast
from handlers.cli.app import build_app

ROOT = Path(__file__).resolve().parents[2]


class LineReader:
    """Lines of a child's output, read by a thread so waiting for one never blocks on buffers."""

    def __init__(self, stream) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen = ""
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream) -> None:
        for line in stream:
            self.lines.put(line)

    def until(self, needle: str, timeout: float) -> None:
        """Wait for a line containing ``needle``."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            self.seen += line
            if needle in line:
                return
        raise AssertionError(f"{needle!r} not printed within {timeout}s; got:\n{self.seen}")


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
        output = LineReader(child.stdout)
        output.until("briefs print to this terminal", timeout=30)
        output.until("podbrief running as all", timeout=15)
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=25) == 0
        output.until("stopping: no new work", timeout=5)
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
    monkeypatch.setattr("bot.jobs.pipeline.process_episode", lambda services, eid: seen.append(eid))
    result = CliRunner().invoke(build_app(), ["process", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"dead": 0, "done": 1, "failed": 0}
    assert seen == [1]
    engine.dispose()


def test_run_rejects_an_unknown_role(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'r.db'}")
    result = CliRunner().invoke(build_app(), ["run", "--role", "everything"])
    assert result.exit_code != 0
    assert "role must be one of" in result.output


def test_web_role_without_slack_says_one_consistent_thing(engine):
    from bot.core.config import Settings
    from bot.core.services import Services
    from handlers.runtime.process import run_role

    services = Services(settings=Settings(_env_file=None), engine=engine)
    stop, said, result = threading.Event(), [], []
    thread = threading.Thread(
        target=lambda: result.append(
            run_role(services, "web", stop=stop, publishers={}, say=said.append)
        )
    )
    thread.start()
    stop.set()
    thread.join(timeout=25)
    assert result[0].clean and result[0].error is None
    assert said == [
        "SQLite: run every role in one process (`podbrief run`); separate roles need "
        "PostgreSQL (DATABASE_URL=postgresql://…).",
        "web: nothing to serve over HTTP: Slack is not configured (SLACK_* settings) and "
        "ASSEMBLYAI_WEBHOOK_URL is not set.",
        "This web process stays idle until stopped (Ctrl-C).",
    ]  # no "running the scheduler; briefs print to this terminal": web runs no scheduler
