"""`podbrief demo` end to end: sample feeds served locally, the production path, a brief."""

from __future__ import annotations

import importlib.util

import httpx
import pytest
from typer.testing import CliRunner

from bot.demo.run import PLACEHOLDER_RE, fill_placeholders, sample_feeds, serve_samples
from handlers.cli.app import build_app

NEEDED = (
    "bot.feeds.store",
    "bot.feeds.polling",
    "bot.feeds.fetching",
    "bot.search.retrieval",
    "bot.transcripts.sources",
)


def missing_modules() -> list[str]:
    return [name for name in NEEDED if importlib.util.find_spec(name) is None]


def test_sample_server_fills_placeholders():
    assert sample_feeds() == ["build-weekly", "carbon-shift", "inference-hour"]
    with serve_samples() as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        feed = httpx.get(f"{base_url}/inference-hour/feed.xml")
        assert feed.status_code == 200 and feed.headers["content-type"] == "application/rss+xml"
        assert not PLACEHOLDER_RE.search(feed.text)
        assert f"{base_url}/inference-hour/" in feed.text
        assert httpx.get(f"{base_url}/nope.xml").status_code == 404


def test_days_ago_becomes_an_rfc_2822_date():
    text = fill_placeholders("<pubDate>{{DAYS_AGO:2}}</pubDate> {{BASE_URL}}/x", "http://h")
    assert text.endswith("http://h/x") and "+0000</pubDate>" in text


@pytest.mark.slow
def test_demo_runs_end_to_end(tmp_path, monkeypatch):
    if missing_modules():
        pytest.skip(f"demo needs modules not merged yet: {', '.join(missing_modules())}")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'unused.db'}")
    result = CliRunner().invoke(build_app(), ["demo", "--db", str(tmp_path / "demo.db")])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Your podcast brief" in out and "open-source AI, developer tools" in out
    assert "9 episodes processed" in out and "failed" not in out
    assert "1. " in out and "5. " in out and "▶" in out
    assert "podbrief ask" in out and "podbrief chat" in out
    assert not (tmp_path / "unused.db").exists()  # the demo never touches the user's database

    summary = CliRunner().invoke(
        build_app(),
        ["summary", "1", "--json"],
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"},
    )
    assert summary.exit_code == 0 and '"key_points"' in summary.output


def test_a_rerun_reuses_the_sample_feeds_and_the_scheduler_never_polls_them(engine, settings):
    import asyncio

    from sqlmodel import Session, func, select

    from bot.core.models import Episode, Podcast
    from bot.core.services import Services
    from bot.demo.run import demo_settings, run_demo
    from bot.feeds.health import feed_health
    from bot.feeds.polling import poll_feeds
    from bot.feeds.store import due_feeds
    from bot.insights.extractive import build_insight_engine

    if missing_modules():
        pytest.skip(f"demo needs modules not merged yet: {', '.join(missing_modules())}")
    local = demo_settings(settings, str(engine.url))
    services = Services(settings=local, engine=engine, insight_engine=build_insight_engine(local))
    for _run in range(2):  # each run serves the samples on a new port
        with serve_samples() as base_url:
            result = run_demo(services, base_url)
        assert result.errors == [] and result.feeds == 3
    assert (result.processed, result.ready) == (0, 9)  # the second run reused the first's work
    with Session(engine) as session:
        podcasts = session.exec(select(Podcast)).all()
        assert sorted(p.demo_sample for p in podcasts) == sample_feeds()
        assert session.exec(select(func.count()).select_from(Episode)).one() == 9
        assert due_feeds(session, services.clock.now(), only_due=False) == []
        assert {feed_health(p, local).state for p in podcasts} == {"demo"}
    # `feeds poll --all` and the scheduler's poll leave the demo's feeds alone
    assert asyncio.run(poll_feeds(services, only_due=False)).outcomes == []
