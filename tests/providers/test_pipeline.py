"""End to end through the composition root: LLM insights and answers, and the offline fallback."""

from __future__ import annotations

import json
import time

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from bot.core import db
from bot.core.models import EpisodeSummary, Insight, Usage
from bot.demo.run import SAMPLES_DIR
from handlers.cli.app import build_app
from tests.fakes.openai_server import FakeOpenAI, error

SAMPLE = SAMPLES_DIR / "inference-hour"


@pytest.fixture
def fake():
    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture
def cli_env(tmp_path, monkeypatch, fake):
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'e2e.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("PROVIDER_MAX_WAIT_S", "0")  # retries without waiting
    for name in ("ASSEMBLYAI_API_KEY", "EMBEDDINGS"):
        monkeypatch.delenv(name, raising=False)
    return url


def import_sample(runner: CliRunner) -> dict:
    args = ["episodes", "import", str(SAMPLE / "open-weights-closed-wallets.vtt")]
    result = runner.invoke(build_app(), [*args, "--podcast", "The Inference Hour", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def stored(url: str) -> tuple[list[Insight], EpisodeSummary, list[Usage]]:
    with Session(db.create_db_engine(url)) as session:
        insights = list(session.exec(select(Insight)))
        summary = session.exec(select(EpisodeSummary)).one()
        return insights, summary, list(session.exec(select(Usage)))


def test_llm_insights_and_answers_end_to_end(cli_env, fake):
    runner = CliRunner()
    import_sample(runner)
    insights, summary, usage = stored(cli_env)
    assert insights and {i.engine for i in insights} == {"llm"} and summary.engine == "llm"
    assert usage and usage[0].service == "openai" and usage[0].episode_id == insights[0].episode_id

    result = runner.invoke(
        build_app(), ["ask", "How much did the open model cut the bill?", "--json"]
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert "[1]" in answer["answer"] and answer["citations"]
    assert fake.chats()[-1].body["response_format"]["json_schema"]["name"] == "AnswerOut"


def test_offline_engine_takes_over_when_the_llm_is_down(cli_env, fake):
    fake.script("POST", "/v1/chat/completions", *[error(500)] * 8)
    runner = CliRunner()
    import_sample(runner)
    insights, summary, _usage = stored(cli_env)
    assert insights and {i.engine for i in insights} == {"extractive"}
    assert summary.engine == "extractive"

    result = runner.invoke(
        build_app(), ["ask", "How much did the open model cut the bill?", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["citations"]  # the extractive answer, still cited


def chunk_embeddings(url: str) -> list[bytes | None]:
    from bot.core.models import Chunk

    with Session(db.create_db_engine(url)) as session:
        return list(session.exec(select(Chunk.embedding)))


def test_embeddings_are_stored_with_the_chunks(cli_env, fake, monkeypatch):
    monkeypatch.setenv("EMBEDDINGS", "true")
    import_sample(CliRunner())
    vectors = chunk_embeddings(cli_env)
    assert vectors and all(v is not None and len(v) == 1536 * 4 for v in vectors)
    for _ in range(50):  # embedding ran inside the pipeline's write transaction: the ledger
        _insights, _summary, usage = stored(cli_env)  # row follows once that commits
        if any(u.operation == "embed" and u.input_tokens > 0 for u in usage):
            break
        time.sleep(0.1)
    else:
        pytest.fail("no usage row for the embeddings")


def test_an_embeddings_outage_still_indexes_full_text(cli_env, fake, monkeypatch):
    monkeypatch.setenv("EMBEDDINGS", "true")
    fake.script("POST", "/v1/embeddings", *[error(503)] * 4)
    import_sample(CliRunner())
    vectors = chunk_embeddings(cli_env)
    assert vectors and all(v is None for v in vectors)
