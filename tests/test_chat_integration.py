"""Every chat command against the real core on the bundled sample podcasts (no fakes)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace

import pytest
from rich.console import Console

from bot import db
from bot.config import Settings
from bot.services import Services
from handlers.commands import GENERIC_ERROR, CommandRequest, dispatch
from handlers.console import run_chat
from handlers.slack_app.render import render_reply

SCRIPT = [
    "subscribe open-source AI",
    "subscribe --me developer tools",
    "brief",
    "why",
    "ask Why are startups moving to open-weight models?",
    "search linter",
    "podcasts",
    "episodes inference",
    "summary 1",
    "status",
    "settings size 3 tz Europe/Berlin",
    "brief --me",
    "topics",
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[Services]:
    demo_module = pytest.importorskip("bot.demo")
    from handlers.cli import build_services

    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    settings = demo_module.demo_settings(Settings(_env_file=None), url)
    engine = db.create_db_engine(url)
    db.upgrade(engine)
    services = build_services(settings, engine)
    with demo_module.serve_samples() as base_url:
        result = demo_module.run_demo(services, base_url)
    assert result.processed >= 9, result
    yield services
    engine.dispose()


def test_every_command_works_on_the_real_core(demo):
    out = io.StringIO()
    console = Console(file=out, width=200, color_system=None)
    count = run_chat(demo, iter(SCRIPT), console=console, user_id="ann", echo=True)
    text = out.getvalue()
    assert count == len(SCRIPT)
    assert GENERIC_ERROR not in text and "not available" not in text
    assert text.count("Your podcast brief") == 2
    assert "▶" in text and "[1]" in text  # timestamps and numbered citations
    assert "Build Weekly" in text and "The Inference Hour" in text
    assert "next brief" in text.lower()
    assert "Europe/Berlin, every day, 3 items" in text


def test_a_real_brief_renders_for_slack_within_limits(demo):
    request = CommandRequest(platform="slack", channel_ref="C1", user_id="U1", text="")
    dispatch(demo, replace(request, text="subscribe open-source AI"))
    reply = dispatch(demo, replace(request, text="brief"))
    assert reply.brief is not None and reply.brief.items
    blocks, fallback = render_reply(reply)
    assert len(blocks) <= 50 and fallback.startswith("Your podcast brief")
    assert any(b["type"] == "actions" for b in blocks)
