"""The ``transcript parse`` and ``episodes import | list`` commands, as a user runs them."""

from __future__ import annotations

import json

import jsonschema
import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from bot.core import db
from bot.core.errors import TranscriptError
from bot.core.models import Episode, Podcast, TranscriptSegment
from handlers.cli.app import build_app
from tests.conftest import TEST_SAMPLES

SAMPLES = TEST_SAMPLES

PARSE_SCHEMA = {
    "type": "object",
    "required": ["format", "segments"],
    "properties": {
        "format": {"enum": ["vtt", "srt", "json", "html", "text", "markdown", "xml"]},
        "segments": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["start", "end", "speaker", "text"],
                "properties": {
                    "start": {"type": "number"},
                    "end": {"type": "number"},
                    "speaker": {"type": ["string", "null"]},
                    "text": {"type": "string", "minLength": 1},
                },
            },
        },
    },
}


@pytest.fixture
def db_url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    monkeypatch.chdir(tmp_path)  # no developer .env file
    return url


def run(*args: str):
    return CliRunner().invoke(build_app(), [str(a) for a in args])


def test_transcript_parse_json_follows_the_contract(db_url) -> None:
    result = run("transcript", "parse", SAMPLES / "voices.vtt", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, PARSE_SCHEMA)
    assert doc["format"] == "vtt"
    assert doc["segments"][0] == {
        "start": 1.0,
        "end": 4.0,
        "speaker": "Ann Lee",
        "text": "Welcome to Field Notes & Footnotes, the show about maps.",
    }


def test_transcript_parse_sniffs_past_a_lying_type_and_prints_for_humans(db_url) -> None:
    result = run("transcript", "parse", SAMPLES / "long_show.md", "--type", "text/vtt")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "long_show.md: markdown, 7 segments"
    assert "[1:52:31] Ann Lee: And this marker reads" in result.stdout


def test_transcript_parse_of_a_bad_file_is_one_line_on_stderr(db_url, tmp_path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_bytes(b'{"segments": [{"startTime": 1')
    result = run("transcript", "parse", bad, "--json")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: invalid JSON transcript")
    assert result.stderr.count("\n") == 1


def test_episodes_import_stores_a_pending_episode_idempotently(db_url) -> None:
    args = ("episodes", "import", SAMPLES / "timed.txt", "--podcast", "Field Notes")
    first = run(*args, "--published", "2026-11-01T08:00:00+01:00", "--json", "--no-process")
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout) == {"id": 1, "segments": 4}
    again = run(*args, "--json", "--no-process")
    assert json.loads(again.stdout) == {"id": 1, "segments": 4}

    engine = db.create_db_engine(db_url)
    with Session(engine) as session:
        (podcast,) = session.exec(select(Podcast)).all()
        (episode,) = session.exec(select(Episode)).all()
        assert (podcast.url, podcast.title) == ("local:field-notes", "Field Notes")
        assert episode.status == "pending"
        assert (episode.transcript_source, episode.transcript_format) == ("import", "text")
        assert episode.title == "timed"
        assert episode.published_at.isoformat() == "2026-11-01T07:00:00+00:00"
        speakers = session.exec(select(TranscriptSegment.speaker).order_by("idx")).all()
        assert speakers == ["Ann", "Bo", "Ann", "Bo"]
    engine.dispose()


def test_episodes_import_of_a_bad_file_stores_nothing(db_url, tmp_path) -> None:
    bad = tmp_path / "episode.vtt"
    bad.write_bytes(b"")
    result = run("episodes", "import", bad, "--podcast", "Field Notes", "--no-process")
    assert result.exit_code == 1
    assert result.stderr == "error: empty transcript\n"
    listed = run("episodes", "list", "--json")
    assert json.loads(listed.stdout) == {"episodes": []}


def test_episodes_import_rejects_a_bad_date(db_url) -> None:
    result = run(
        "episodes", "import", SAMPLES / "timed.txt", "--podcast", "X", "--published", "soon"
    )
    assert result.exit_code == 1
    assert "not an ISO 8601 date or time: 'soon'" in result.stderr


def test_episodes_import_processes_the_episode(db_url, monkeypatch) -> None:
    processed: list[int] = []
    monkeypatch.setattr(
        "bot.jobs.pipeline.process_episode", lambda services, eid: processed.append(eid)
    )
    monkeypatch.setattr("handlers.cli.root.build_services", lambda settings, engine: object())
    result = run("episodes", "import", SAMPLES / "voices.vtt", "--podcast", "P", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"id": 1, "segments": 5, "processed": True}
    assert processed == [1]


def test_a_processing_failure_leaves_the_episode_pending_with_its_reason(
    db_url, monkeypatch
) -> None:
    def fail(services, episode_id: int) -> None:
        raise TranscriptError("insight engine unavailable")

    class FakeServices:
        engine = db.create_db_engine(db_url)

    monkeypatch.setattr("bot.jobs.pipeline.process_episode", fail)
    monkeypatch.setattr("handlers.cli.root.build_services", lambda settings, engine: FakeServices())
    result = run("episodes", "import", SAMPLES / "voices.vtt", "--podcast", "P", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["error"] == "insight engine unavailable"
    listed = json.loads(run("episodes", "list", "--json").stdout)["episodes"]
    assert [(e["status"], e["status_reason"]) for e in listed] == [
        ("pending", "insight engine unavailable")
    ]
    FakeServices.engine.dispose()


def test_episodes_list_newest_first_and_by_podcast(db_url) -> None:
    for name, podcast, when in [
        ("timed.txt", "Alpha Show", "2026-10-01"),
        ("voices.vtt", "Beta Show", "2026-11-01"),
        ("long_show.md", "Alpha Show", "2026-11-15"),
    ]:
        result = run(
            "episodes",
            "import",
            SAMPLES / name,
            "--podcast",
            podcast,
            "--published",
            when,
            "--no-process",
        )
        assert result.exit_code == 0, result.output
    listed = json.loads(run("episodes", "list", "--json").stdout)["episodes"]
    assert [e["title"] for e in listed] == ["long show", "voices", "timed"]
    alpha = json.loads(run("episodes", "list", "--podcast", "alpha show", "--json").stdout)
    assert [e["podcast"] for e in alpha["episodes"]] == ["Alpha Show", "Alpha Show"]
    human = run("episodes", "list").stdout
    assert "2026-11-15  pending  Alpha Show · long show" in human
    missing = run("episodes", "list", "--podcast", "Gamma")
    assert missing.exit_code == 1
    assert missing.stderr == "error: no podcast matches 'Gamma'\n"


def test_files_over_the_transcript_size_cap_are_refused(db_url, monkeypatch) -> None:
    monkeypatch.setenv("MAX_TRANSCRIPT_BYTES", "100")
    result = run("transcript", "parse", SAMPLES / "voices.vtt")
    assert result.exit_code == 1
    assert "is larger than MAX_TRANSCRIPT_BYTES (100 bytes)" in result.stderr
    result = run("episodes", "import", SAMPLES / "voices.vtt", "--podcast", "P", "--no-process")
    assert result.exit_code == 1
