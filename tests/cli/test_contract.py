"""The command-line contract of DESIGN.md, checked field by field on one demo-built database.

Shapes may gain fields, never lose or rename them, so every test asserts "at least these keys
with these types". One module-scoped database keeps the whole file to a few seconds.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from handlers.cli.app import CHATTY_LOGGERS, build_app, configure_logging

NUMBER = (int, float)
SEGMENT = {"start": NUMBER, "end": NUMBER, "speaker": (str, type(None)), "text": str}
BRIEF_ITEM = {
    "rank": int,
    "text": str,
    "quote": str,
    "speaker": (str, type(None)),
    "podcast": str,
    "episode": str,
    "episode_id": int,
    "start": NUMBER,
    "url": (str, type(None)),
    "topics": list,
    "score": NUMBER,
    "related": list,
}
RELATED = {"text": str, "podcast": str, "episode": str, "start": NUMBER}
CITATION = {
    "podcast": str,
    "episode": str,
    "episode_id": int,
    "start": NUMBER,
    "end": NUMBER,
    "text": str,
    "url": (str, type(None)),
}
PASSAGE = CITATION | {"score": NUMBER}
SUMMARY = {"episode_id": int, "title": str, "summary": str, "key_points": list, "topics": list}

pytestmark = pytest.mark.slow


def assert_shape(obj: Any, shape: dict[str, Any], where: str) -> None:
    """``obj`` is a dict holding at least ``shape``'s keys, each of the expected type."""
    assert isinstance(obj, dict), f"{where}: expected an object, got {obj!r}"
    for key, kind in shape.items():
        assert key in obj, f"{where}: missing {key!r} in {sorted(obj)}"
        assert isinstance(obj[key], kind), f"{where}.{key}: {obj[key]!r} is not {kind}"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Iterator[str]:
    """A database built by `podbrief demo` (sample feeds served locally, all nine episodes)."""
    path = tmp_path_factory.mktemp("contract") / "demo.db"
    url = f"sqlite:///{path}"
    result = CliRunner().invoke(build_app(), ["demo", "--db", str(path)], env=_env(url))
    assert result.exit_code == 0, result.output
    yield url


def _env(url: str) -> dict[str, str | None]:
    # Offline engines only, whatever the developer's shell exports.
    return {
        "DATABASE_URL": url,
        "OPENAI_API_KEY": None,
        "ASSEMBLYAI_API_KEY": None,
        "LOG_LEVEL": "INFO",
    }


def run(url: str, *args: str) -> Result:
    """Invoke the CLI in-process against ``url``; fails the test on a non-zero exit."""
    result = CliRunner().invoke(build_app(), list(args), env=_env(url))
    assert result.exit_code == 0, f"{args}: {result.output}\n{result.exception!r}"
    return result


def run_json(url: str, *args: str) -> Any:
    """The parsed stdout of a ``--json`` command (stdout must be nothing but JSON)."""
    return json.loads(run(url, *args, "--json").stdout)


def test_transcript_parse_json(demo_db, corpus):
    out = run_json(
        demo_db, "transcript", "parse", str(corpus / "transcripts/podcast-namespace/example.srt")
    )
    assert out["format"] == "srt"
    assert out["segments"], "a real SRT file yields segments"
    for segment in out["segments"]:
        assert_shape(segment, SEGMENT, "segment")
    assert out["segments"][0]["speaker"] == "Travis"
    starts = [s["start"] for s in out["segments"]]
    assert starts == sorted(starts)


def test_episodes_import_json(demo_db, corpus):
    file = corpus / "transcripts/podcast-namespace/example.vtt"
    out = run_json(demo_db, "episodes", "import", str(file), "--podcast", "Namespace Examples")
    assert isinstance(out["id"], int) and out["segments"] > 0
    listed = run_json(demo_db, "episodes", "list")["episodes"]
    assert any(e["id"] == out["id"] and e["podcast"] == "Namespace Examples" for e in listed)


def test_episodes_list_json(demo_db):
    episodes = run_json(demo_db, "episodes", "list")["episodes"]
    demo = [e for e in episodes if e["podcast"] != "Namespace Examples"]
    assert len(demo) == 9 and {e["status"] for e in demo} == {"done"}
    for episode in episodes:
        assert_shape(episode, {"id": int, "podcast": str, "title": str}, "episode")


def test_brief_topic_json(demo_db):
    out = run_json(demo_db, "brief", "--topic", "open-source AI", "--topic", "developer tools")
    assert isinstance(out["date"], str) and len(out["date"]) == 10
    assert 1 <= len(out["items"]) <= 5
    for item in out["items"]:
        assert_shape(item, BRIEF_ITEM, "brief item")
        for related in item["related"]:
            assert_shape(related, RELATED, "related")
    assert [i["rank"] for i in out["items"]] == list(range(1, len(out["items"]) + 1))
    with_url = [i for i in out["items"] if i["url"]]
    assert all(f"#t={int(i['start'])}" in i["url"] for i in with_url)


def test_brief_channel_json_and_text(demo_db):
    out = run_json(demo_db, "brief", "--channel", "demo", "--date", "2026-12-01")
    assert out["date"] == "2026-12-01"
    text = run(demo_db, "brief", "--channel", "demo").stdout
    assert text.startswith("Your podcast brief") and "topics: open-source AI" in text
    assert "1. " in text and "▶" in text


def test_ask_json(demo_db):
    out = run_json(demo_db, "ask", "Why are startups moving to open-weight models?")
    assert isinstance(out["answer"], str) and out["answer"]
    assert out["answered"] is True
    assert out["citations"], "the demo transcripts answer this question"
    for citation in out["citations"]:
        assert_shape(citation, CITATION, "citation")
        assert citation["end"] >= citation["start"]
    assert 1 <= len(out["passages"]) <= 10
    for passage in out["passages"]:
        assert_shape(passage, PASSAGE, "passage")


def test_ask_json_says_when_the_shows_do_not_cover_it(demo_db):
    out = run_json(demo_db, "ask", "who won the world cup in 2022?")
    assert out["answered"] is False
    assert "don't cover" in out["answer"]
    for citation in out["citations"]:  # the nearest passages, if any, keep the shape
        assert_shape(citation, CITATION, "citation")


def test_summary_json(demo_db):
    episode_id = run_json(demo_db, "episodes", "list")["episodes"][0]["id"]
    out = run_json(demo_db, "summary", str(episode_id))
    assert_shape(out, SUMMARY, "summary")
    assert out["episode_id"] == episode_id and out["summary"]
    for point in out["key_points"]:
        assert_shape(point, {"text": str, "start": NUMBER}, "key point")


def test_summary_of_unknown_episode_is_one_clear_line(demo_db):
    result = CliRunner().invoke(build_app(), ["summary", "99999", "--json"], env=_env(demo_db))
    assert result.exit_code != 0
    assert "99999" in result.output and "Traceback" not in result.output


def test_feeds_status_usage_search_process_json(demo_db):
    feeds = run_json(demo_db, "feeds", "list")
    assert len(feeds) >= 3 and all("url" in f and "title" in f for f in feeds)
    assert run_json(demo_db, "status")["feeds"] >= 3
    assert "rows" in run_json(demo_db, "usage")
    assert run_json(demo_db, "process")["failed"] == 0
    passages = run_json(demo_db, "search", "open", "weights")["passages"]
    assert passages and all("score" in p for p in passages)


def test_plain_commands_succeed(demo_db):
    assert "head" in run(demo_db, "db", "upgrade").stdout
    assert "Feeds:" in run(demo_db, "status").stdout
    assert "Build Weekly" in run(demo_db, "feeds", "list").stdout  # not wrapped at 80 columns


def test_json_stdout_is_pure_and_alembic_is_quiet(demo_db):
    """As a user's shell sees it: a fresh process, stdout parses, no Alembic INFO chatter."""
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "LOG_LEVEL")}
    env["DATABASE_URL"] = demo_db
    args = [
        sys.executable,
        "-c",
        "from handlers.cli import main; main()",
        "episodes",
        "list",
        "--json",
    ]
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["episodes"]
    assert "alembic" not in done.stderr.lower(), done.stderr


@pytest.mark.parametrize(("level", "alembic"), [("INFO", "WARNING"), ("DEBUG", "DEBUG")])
def test_third_party_chatter_is_quiet_unless_debugging(level, alembic, monkeypatch):
    for name in CHATTY_LOGGERS:
        monkeypatch.setattr(logging.getLogger(name), "level", logging.NOTSET)
    configure_logging(level.lower())
    assert logging.getLevelName(logging.getLogger("alembic").level) == alembic
    assert logging.getLogger("httpx").level == logging.getLogger("alembic").level
