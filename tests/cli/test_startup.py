"""Start-up faults are one clear sentence and a non-zero exit, never a traceback."""

from __future__ import annotations

import asyncio
import socket

import discord
import pytest
from typer.testing import CliRunner

from bot.core.config import Settings
from bot.core.errors import StartupError
from bot.core.services import Services
from handlers.cli.app import build_app
from handlers.discord_bot.runner import run_discord
from handlers.slack_app.runner import start_http, start_slack
from tests.fakes.slack_server import FakeSlack


def _assert_one_sentence(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == "" and "Traceback" not in result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    for word in words:
        assert word in result.stderr


def test_a_database_folder_that_does_not_exist(tmp_path):
    url = f"sqlite:///{tmp_path}/no/such/folder/podbrief.db"
    result = CliRunner().invoke(build_app(), ["feeds", "list"], env={"DATABASE_URL": url})
    _assert_one_sentence(result, "does not exist", "DATABASE_URL")


def test_postgres_not_listening_and_a_bad_scheme(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = f"postgresql://u:pw@127.0.0.1:{port}/db"
    result = CliRunner().invoke(build_app(), ["status"], env={"DATABASE_URL": down})
    _assert_one_sentence(result, "can't reach the database", "is running")
    result = CliRunner().invoke(build_app(), ["status"], env={"DATABASE_URL": "mongodb://h/d"})
    _assert_one_sentence(result, "does not support")


def test_the_default_database_file_is_announced_when_it_is_new(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    result = CliRunner().invoke(build_app(), ["feeds", "list"])
    assert result.exit_code == 0
    assert "note: starting a new, empty database podbrief.db" in result.stderr
    again = CliRunner().invoke(build_app(), ["feeds", "list"])
    assert "note:" not in again.stderr  # only the first time


def _services(engine, **settings) -> Services:
    return Services(settings=Settings(_env_file=None, **settings), engine=engine)


def test_slack_rejecting_the_bot_token(engine):
    fake = FakeSlack().start()
    fake.responses["auth.test"] = {"ok": False, "error": "invalid_auth"}
    try:
        services = _services(
            engine, slack_bot_token="xoxb-bad", slack_app_token="xapp-1", slack_api_url=fake.api_url
        )
        with pytest.raises(StartupError) as fault:
            start_slack(services)
    finally:
        fake.stop()
    assert "Slack rejected SLACK_BOT_TOKEN (auth.test said invalid_auth)" in str(fault.value)


def test_a_port_in_use(engine):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(StartupError, match=f"can't listen on 127.0.0.1:{port}.*set PORT"):
            start_http(lambda environ, start: [], host="127.0.0.1", port=port)  # type: ignore[arg-type]


class _RejectedBot:
    """A Discord client whose login the gateway refuses (discord.py raises LoginFailure)."""

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return None

    async def start(self, token: str) -> None:
        raise discord.LoginFailure("Improper token has been passed.")

    async def close(self) -> None:
        return None


def test_discord_rejecting_the_token(engine):
    services = _services(engine, discord_token="bad")
    with pytest.raises(StartupError, match="Discord rejected DISCORD_TOKEN"):
        asyncio.run(run_discord(services, build=lambda *_a, **_k: _RejectedBot()))
