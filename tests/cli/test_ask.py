"""``podbrief ask`` and ``podbrief search`` from the outside (typer runner, JSON contract)."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from handlers.cli.app import build_app
from tests.fakes.search_library import build_library


@pytest.fixture
def cli(engine, settings, monkeypatch):
    with Session(engine, expire_on_commit=False) as session:
        ids = build_library(session)
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    runner = CliRunner()
    return (lambda *args: runner.invoke(build_app(), list(args))), ids


def test_ask_json(cli):
    invoke, ids = cli
    result = invoke("ask", "How do I keep slugs off my lettuce?", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert "copper tape" in data["answer"].lower()
    assert data["citations"][0]["episode_id"] == ids["spring"]
    assert data["citations"][0]["url"].endswith("#t=60")
    assert data["passages"][0]["score"] > 0


def test_ask_with_scope_options(cli):
    invoke, ids = cli
    result = invoke("ask", "brakes and slugs", "--podcast", "Motoring", "--json")
    assert {c["episode_id"] for c in json.loads(result.output)["citations"]} == {ids["brakes"]}
    result = invoke(
        "ask", "brakes and slugs", "--since", "2026-02-01", "--until", "2026-03-31", "--json"
    )
    assert {p["episode_id"] for p in json.loads(result.output)["passages"]} == {ids["spring"]}
    result = invoke("ask", "slugs", "--episode", str(ids["autumn"]), "--json")
    data = json.loads(result.output)
    assert data["answered"] is False  # the autumn episode never mentions slugs
    assert {c["episode_id"] for c in data["citations"]} <= {ids["autumn"]}


def test_unknown_podcast_or_episode_is_an_error_naming_the_closest(cli):
    invoke, ids = cli
    result = invoke("ask", "slugs", "--podcast", "nosuch")
    assert result.exit_code == 1
    assert "No podcast matches “nosuch”" in result.output and "Closest:" in result.output
    near = invoke("ask", "slugs", "--podcast", "Gardn Hour", "--json")
    assert near.exit_code == 1 and "“Garden Hour”" in near.output
    missing = invoke("ask", "slugs", "--episode", "999")
    assert missing.exit_code == 1
    assert "No episode with id 999" in missing.output and str(ids["brakes"]) in missing.output


def test_ask_json_says_whether_the_shows_cover_the_question(cli):
    invoke, _ = cli
    covered = json.loads(invoke("ask", "How do I keep slugs off my lettuce?", "--json").output)
    assert covered["answered"] is True
    uncovered = json.loads(invoke("ask", "Who won the tennis final at Wimbledon?", "--json").output)
    assert uncovered["answered"] is False
    assert uncovered["answer"].startswith("The shows you follow don't cover this")


def test_ask_human_output_and_bad_date(cli):
    invoke, _ = cli
    result = invoke("ask", "How do I keep slugs off my lettuce?")
    assert result.exit_code == 0
    assert "[1] Garden Hour · Spring beds · ▶ 1:00" in result.output
    bad = invoke("ask", "slugs", "--since", "yesterday")
    assert bad.exit_code != 0
    assert "YYYY-MM-DD" in bad.output


def test_search_json_lists_ranked_passages(cli):
    invoke, ids = cli
    result = invoke("search", "brake", "pads", "--json")
    assert result.exit_code == 0, result.output
    passages = json.loads(result.output)["passages"]
    assert passages[0]["episode_id"] == ids["brakes"]
    assert passages[0]["url"].startswith("https://cdn.example/motoring/brakes.mp3#t=")
