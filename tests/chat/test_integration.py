"""Every chat command against the real core on the bundled sample podcasts (no fakes)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace

import pytest
from rich.console import Console

from bot.core import db
from bot.core.config import Settings
from bot.core.services import Services
from handlers.chat.replies import GENERIC_ERROR, CommandRequest
from handlers.chat.router import dispatch
from handlers.console.chat import run_chat
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
    demo_module = pytest.importorskip("bot.demo.run")
    from handlers.cli.root import build_services

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


JOURNEY = {
    "help": "podbrief commands",
    "subscribe climate tech": "Subscribed to “climate tech”",
    "subscribe open-source AI": "Subscribed to “open-source AI”",
    "topics": "• open-source AI",
    "follow not-a-url": "is not a feed URL",
    "follow http://192.168.1.1/feed.xml": (
        "Can't follow that feed: podbrief only fetches feeds on public addresses"
    ),
    "settings time 08:30 tz Europe/Berlin": "08:30 Europe/Berlin",
    "settings tz Mars/Olympus": "is not a time zone",
    "frobnicate": "Unknown command “frobnicate”",
}


def test_a_new_users_journey_gets_a_clear_reply_to_every_line(demo):
    # As a user's bot runs: private addresses refused (only the demo's own copy allows them).
    services = replace(
        demo, settings=demo.settings.model_copy(update={"allow_private_urls": False})
    )
    request = CommandRequest(platform="slack", channel_ref="CJOURNEY", user_id="U1", text="")
    for text, expected in JOURNEY.items():
        reply = dispatch(services, replace(request, text=text))
        shown = " ".join([reply.title or ""] + [line.text for line in reply.lines])
        assert expected in shown, (text, shown)
        assert GENERIC_ERROR not in shown and "Traceback" not in shown


def test_a_private_feed_without_a_title_never_shows_its_token(demo):
    from bot.channels.subscriptions import follow_podcast
    from bot.core.db import session_scope
    from bot.core.models import Podcast
    from handlers.chat.channels import request_channel

    request = CommandRequest(platform="slack", channel_ref="C1", user_id="U1", text="podcasts")
    with session_scope(demo.engine) as session:
        podcast = Podcast(url="https://feeds.example.com/p/show.xml?token=SECRET123", title="")
        session.add(podcast)
        session.flush()
        follow_podcast(session, request_channel(demo, session, request, personal=False), podcast)
    reply = dispatch(demo, request)
    shown = " ".join(line.text + (line.url or "") for line in reply.lines)
    assert "https://feeds.example.com/p/show.xml" in shown
    assert "SECRET123" not in shown
