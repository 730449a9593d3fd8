"""``podbrief usage`` and ``providers`` from the outside, and the composition root's wiring."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from bot.core.config import Settings
from bot.core.models import Usage
from bot.providers.assemblyai_transcriber import AssemblyAITranscriber
from bot.providers.openai_answers import LLMAnswerWriter
from bot.providers.openai_embeddings import OpenAIEmbedder
from handlers.cli.app import build_app
from handlers.cli.root import build_services
from tests.fakes.openai_server import FakeOpenAI


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no stray .env
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "ASSEMBLYAI_API_KEY", "EMBEDDINGS"):
        monkeypatch.delenv(name, raising=False)
    return url


def test_usage_json_reports_tokens_audio_and_cost(env):
    runner = CliRunner()
    assert runner.invoke(build_app(), ["usage", "--json"]).exit_code == 0  # migrates
    from bot.core import db

    engine = db.create_db_engine(env)
    with Session(engine) as session:
        session.add(Usage(service="openai", operation="insights", input_tokens=1000, cost_usd=0.5))
        session.add(
            Usage(service="assemblyai", operation="transcribe", audio_seconds=1800, cost_usd=0.185)
        )
        session.commit()
    result = runner.invoke(build_app(), ["usage", "--json", "--days", "2"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["days"] == 2 and report["total_cost_usd"] == pytest.approx(0.685)
    audio = next(r for r in report["rows"] if r["service"] == "assemblyai")
    assert audio["audio_hours"] == 0.5
    # no ASSEMBLYAI_API_KEY now: status says transcription is off, as `providers` does
    assert report["status"][0].startswith("Transcription: off")
    table = runner.invoke(build_app(), ["usage"])
    assert "insights" in table.stdout and "0.6850" in table.stdout


def test_usage_with_nothing_paid_says_so_instead_of_an_empty_table(env):
    result = CliRunner().invoke(build_app(), ["usage"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("No paid usage yet (last 30 days).")
    assert "┏" not in result.stdout and "service" not in result.stdout


def test_providers_and_status_say_the_same_about_transcription(env, monkeypatch):
    runner = CliRunner()
    providers = runner.invoke(build_app(), ["providers"]).stdout.splitlines()
    status = runner.invoke(build_app(), ["status"]).stdout
    assert providers[0] == "Transcription: off (publisher transcripts only; set ASSEMBLYAI_API_KEY)"
    assert providers[0] in status
    monkeypatch.setenv("ASSEMBLYAI_API_KEY", "aai-test")
    on = runner.invoke(build_app(), ["providers", "--json"])
    assert json.loads(on.stdout)["lines"][0].startswith("Transcription: AssemblyAI (TRANSCRIBE=")
    assert "Transcription: 0.0 of 5 h today" in runner.invoke(build_app(), ["status"]).stdout


def test_providers_check_lists_models_the_server_lacks(env, monkeypatch):
    fake = FakeOpenAI(models=("some-other-model",)).start()
    try:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
        result = CliRunner().invoke(build_app(), ["providers"])
    finally:
        fake.stop()
    assert result.exit_code == 0, result.output
    assert "warning: model gpt-4.1-mini is not offered by the server" in result.stdout


def test_keys_turn_on_the_real_services(engine, tmp_path):
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite:///{tmp_path / 'podbrief.db'}",
        openai_api_key="sk-test",
        assemblyai_api_key="aai-test",
        embeddings=True,
    )
    services = build_services(settings, engine)
    assert isinstance(services.transcriber, AssemblyAITranscriber)
    assert isinstance(services.answer_writer, LLMAnswerWriter)
    assert isinstance(services.embedder, OpenAIEmbedder)
    assert services.insight_engine is not None and services.insight_engine.name == "llm"

    offline = build_services(Settings(_env_file=None, database_url=settings.database_url), engine)
    assert offline.transcriber is None and offline.answer_writer is None
    assert offline.embedder is None
