"""SIGKILL in the middle of a delivery run, then restart: exactly one brief per channel and day.

The fakes kill the delivering process right after storing a post and before answering it — the
worst moment: the brief is out but the ledger still says "claimed". The restarted run takes the
stale claim over, finds the post by its Slack metadata / Discord nonce and does not post again.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.core import db
from bot.core.config import Settings
from bot.core.models import Delivery
from bot.core.services import Services
from bot.delivery.posting import deliver_due
from handlers.cli.root import build_publishers
from tests.fakes.briefs import add_channels, compose_top, seed_insights
from tests.fakes.clock import FixedClock
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.slack_post_server import FakeSlack

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CHANNELS_PER_PLATFORM = 25


class Killer:
    """Counts stored posts across both fakes and SIGKILLs the child at the chosen one."""

    def __init__(self) -> None:
        self.posts = 0
        self.kill_at: int | None = None
        self.child: subprocess.Popen | None = None

    def __call__(self) -> None:
        self.posts += 1
        if self.posts == self.kill_at and self.child is not None:
            os.kill(self.child.pid, signal.SIGKILL)


def run_child(
    env: dict[str, str], killer: Killer, kill_at: int | None
) -> subprocess.CompletedProcess:
    killer.kill_at = kill_at
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.delivery_child"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    killer.child = child
    out, err = child.communicate(timeout=60)
    return subprocess.CompletedProcess(child.args, child.returncode, out, err)


def at(env: dict[str, str], minutes: int, worker: str) -> dict[str, str]:
    """The child's environment for a start ``minutes`` after NOW."""
    now = NOW + timedelta(minutes=minutes)
    return {**env, "PODBRIEF_TEST_NOW": now.isoformat(), "WORKER_ID": worker}


@pytest.mark.slow
def test_sigkill_mid_delivery_then_restart_posts_exactly_once_per_channel(tmp_path):
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    engine = db.create_db_engine(url)
    db.upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        seed_insights(session, count=6)
        channels = add_channels(session, "slack", CHANNELS_PER_PLATFORM) + add_channels(
            session, "discord", CHANNELS_PER_PLATFORM
        )
    killer = Killer()
    with FakeSlack() as slack, FakeDiscord() as discord_api:
        slack.after_post = discord_api.after_post = killer
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "AUTO_MIGRATE": "false",
            "SLACK_BOT_TOKEN": slack.token,
            "SLACK_API_URL": slack.api_url,
            "DISCORD_TOKEN": discord_api.token,
            "DISCORD_API_URL": discord_api.api_url,
        }
        # Each restart comes 10 minutes later: past the delivery claim timeout (which outlives
        # the slowest send), so the dead process's claims are taken over (same local day).
        first = run_child(at(env, 0, "first"), killer, kill_at=12)  # on a Slack post
        assert first.returncode == -signal.SIGKILL
        second = run_child(at(env, 10, "second"), killer, kill_at=40)  # on a Discord post
        assert second.returncode == -signal.SIGKILL
        third = run_child(at(env, 20, "third"), killer, kill_at=None)
        assert third.returncode == 0, third.stderr
        assert json.loads(third.stdout.strip().splitlines()[-1])["sent"] >= 1
        # Another tick the same day (in-process this time) finds nothing left to send.
        settings = Settings(
            _env_file=None,
            slack_bot_token=slack.token,
            slack_api_url=slack.api_url,
            discord_token=discord_api.token,
            discord_api_url=discord_api.api_url,
        )
        clock = FixedClock(NOW + timedelta(minutes=25))
        services = Services(settings=settings, engine=engine, clock=clock)
        assert deliver_due(services, build_publishers(settings), compose=compose_top) == {}

        for channel in channels:
            fake = slack if channel.platform == "slack" else discord_api
            assert len(fake.posts(channel.channel_ref)) == 1, channel.channel_ref
    assert killer.posts == 2 * CHANNELS_PER_PLATFORM
    with Session(engine) as session:
        rows = session.exec(select(Delivery)).all()
    assert len(rows) == 2 * CHANNELS_PER_PLATFORM
    assert {(r.status, r.local_date) for r in rows} == {("sent", date(2026, 12, 1))}
    assert all(r.message_ref for r in rows)
    # The briefs posted just before each kill were taken over, found, and not posted again.
    assert sum(r.attempts > 1 for r in rows) >= 2
    engine.dispose()


def test_a_post_whose_body_never_fully_arrived_is_not_stored():
    """A process killed mid-request sends half a body: the fakes, like the real APIs, drop it
    (else the kill test sees a phantom empty post)."""
    import socket

    with FakeDiscord() as discord_api:
        host, port = discord_api.url.removeprefix("http://").split(":")
        head = (
            "POST /api/v10/channels/9000/messages HTTP/1.1\r\n"
            f"Host: {host}\r\nAuthorization: Bot {discord_api.token}\r\n"
            "Content-Type: application/json\r\nContent-Length: 200\r\n\r\n"
        )
        with socket.create_connection((host, int(port)), timeout=5) as conn:
            conn.sendall(head.encode())  # killed before a byte of the body left
            conn.shutdown(socket.SHUT_WR)
            conn.recv(1024)  # the server closes without answering
        assert discord_api.posts("9000") == []
