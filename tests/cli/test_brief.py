"""`podbrief brief` and `podbrief summary` through the real CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from bot.core import db
from bot.core.config import Settings
from bot.core.ports import EpisodeContext
from bot.insights.extractive import ExtractiveEngine, store_extraction
from handlers.cli.app import build_app
from tests.fakes.insights_data import dialogue_segments, seed_channel, seed_episode, seed_podcast


@pytest.fixture
def cli_db(tmp_path, monkeypatch):
    """A migrated SQLite database with one processed episode and one channel."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)  # no developer .env
    engine = db.create_db_engine(url)
    db.upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        episode = seed_episode(session, seed_podcast(session, "The Inference Hour"), "Open weights")
        context = EpisodeContext(episode.id, "The Inference Hour", "Open weights")
        extraction = ExtractiveEngine(Settings(_env_file=None)).extract(
            context, dialogue_segments()
        )
        store_extraction(session, episode, extraction)
        seed_channel(session, "C-AI", ["open-source AI"])
        session.commit()
    engine.dispose()
    return episode.id


def run(*args: str):
    return CliRunner().invoke(build_app(), list(args))


def test_brief_for_topics_as_json(cli_db):
    result = run("brief", "--topic", "open-source AI", "--date", "2026-11-30", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["date"] == "2026-11-30" and data["items"]
    item = data["items"][0]
    assert item["episode_id"] == cli_db and "#t=" in item["url"] and item["rank"] == 1


def test_brief_for_a_channel_renders_text(cli_db):
    result = run("brief", "--channel", "C-AI", "--date", "2026-11-30")
    assert result.exit_code == 0, result.output
    assert "Your podcast brief" in result.output and "1." in result.output
    assert "The Inference Hour" in result.output and "▶" in result.output


def test_brief_errors_are_one_line(cli_db):
    result = run("brief", "--channel", "nope")
    assert result.exit_code == 1 and "No channel 'nope'" in result.output
    result = run("brief", "--channel", "C-AI", "--date", "30/11/2026")
    assert result.exit_code == 1 and "Not a date" in result.output


def test_summary_as_json_and_text(cli_db):
    result = run("summary", str(cli_db), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["episode_id"] == cli_db and data["title"] == "Open weights"
    assert data["summary"] and data["key_points"] and data["topics"]
    text = run("summary", str(cli_db))
    assert text.exit_code == 0 and "▶" in text.output
    missing = run("summary", "999")
    assert missing.exit_code == 1 and "No episode with id 999" in missing.output


def test_today_is_used_without_date(cli_db):
    result = run("brief", "--topic", "open-source AI", "--json")
    assert json.loads(result.output)["date"] == datetime.now(UTC).date().isoformat()
