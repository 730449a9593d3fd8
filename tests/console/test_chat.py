"""The console chat adapter, driven by scripted stdin."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from typer.testing import CliRunner

from bot.core.services import Services
from handlers.chat.replies import Line, Reply
from handlers.cli.app import build_app
from handlers.console.chat import run_chat, scripted_lines
from handlers.console.render import render_reply
from tests.fakes import chat_core
from tests.fakes.chat_core import CoreCalls


@pytest.fixture
def services(engine, settings) -> Services:
    return Services(settings=settings, engine=engine)


def _console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=120, color_system=None), out


def test_scripted_session_runs_commands_until_exit(services, monkeypatch):
    chat_core.install_all(monkeypatch, CoreCalls())
    script = io.StringIO(
        "/podbrief subscribe open-source AI\n\n# a comment\nbrief\nask what's cheap?\n"
        "settings tz Mars/Olympus\nexit\nhelp\n"
    )
    console, out = _console()
    count = run_chat(services, scripted_lines(script), console=console, user_id="ann", echo=True)
    text = out.getvalue()
    assert count == 4  # blank line and comment skipped, nothing after exit
    assert "Subscribed to “open-source AI”" in text
    assert "Your podcast brief · Tue 1 Dec" in text
    assert (
        "Dana Ortiz" in text and "▶ 23:41" in text and "https://example.com/ep7.mp3#t=1421" in text
    )
    assert "[1] The Inference Hour" in text
    assert "is not a time zone" in text
    assert "podbrief commands" not in text


def test_third_party_text_cannot_inject_markup_or_terminal_escapes():
    reply = Reply(title="[bold red]hi[/]", lines=[Line("evil \x1b[2J\x07 title [link=x]y[/link]")])
    console, out = _console()
    console.print(render_reply(reply))
    text = out.getvalue()
    assert "[bold red]hi[/]" in text and "[link=x]y[/link]" in text
    assert "\x1b" not in text and "\x07" not in text


def test_podbrief_chat_command_reads_stdin_when_not_a_tty(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'chat.db'}")
    result = CliRunner().invoke(build_app(), ["chat", "--user", "ann"], input="help\ntopics\n")
    assert result.exit_code == 0, result.output
    assert "podbrief commands" in result.output
    assert "subscribe [--me] TOPIC" in result.output
    assert "Nothing followed yet" in result.output


def test_interactive_prompt_keeps_history_and_ends_on_ctrl_d(tmp_path, monkeypatch):
    from handlers.console import chat as console

    typed = iter(["help", "topics"])

    def fake_input(prompt: str) -> str:
        assert prompt == "podbrief> "
        try:
            return next(typed)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr("builtins.input", fake_input)
    monkeypatch.setattr(console, "HISTORY_FILE", tmp_path / "history")
    readline = pytest.importorskip("readline")
    readline.clear_history()
    readline.add_history("subscribe AI")  # what input() would have recorded
    assert list(console.interactive_lines()) == ["help", "topics"]
    assert "subscribe AI" in (tmp_path / "history").read_text()


# --- first steps in the console: follow checks the feed, health, podcasts, time zones ---------

TRANSCRIPT = """WEBVTT

00:00:01.000 --> 00:00:09.000
<v Ann Lee>Welcome to Field Notes, the show about how teams really adopt developer tools.

00:00:10.000 --> 00:00:24.000
<v Bo Chen>We moved our whole test suite to a hosted open-weight model last spring, and the
monthly bill dropped by two thirds because we stopped paying per token for every CI run.

00:00:25.000 --> 00:00:40.000
<v Ann Lee>The lesson for most teams is that flaky tests cost more in lost trust than in compute,
so fix the flakiest ten percent before you buy faster machines.

00:00:41.000 --> 00:00:55.000
<v Bo Chen>Code review with a language model works best as a second reader that flags risky
changes, while a person still owns the decision to merge.
"""


def local_show(server, title: str = "Field Notes") -> str:
    """A one-episode feed with a publisher transcript on the fake server; returns its URL."""
    from tests.fakes.feeds_server import Route

    server.routes["/field-notes.vtt"] = Route(TRANSCRIPT.encode(), content_type="text/vtt")
    feed = f"""<?xml version="1.0"?>
<rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel>
<title>{title}</title><link>{server.url("/")}</link>
<item><guid>fn-1</guid><title>Flaky tests and open models</title>
<pubDate>Mon, 30 Nov 2026 06:00:00 GMT</pubDate>
<enclosure url="{server.url("/fn-1.mp3")}" type="audio/mpeg"/>
<podcast:transcript url="{server.url("/field-notes.vtt")}" type="text/vtt"/>
</item></channel></rss>"""
    server.routes["/field-notes.xml"] = Route(feed.encode())
    return server.url("/field-notes.xml")


def _chat(services, *lines: str) -> str:
    console, out = _console()
    run_chat(services, lines, console=console, user_id="ann", echo=True)
    return out.getvalue()


@pytest.fixture
def real_services(engine, settings) -> Services:
    """The real core; private addresses allowed only because the fake feeds live on 127.0.0.1."""
    from bot.insights.extractive import build_insight_engine

    local = settings.model_copy(update={"allow_private_urls": True})
    return Services(settings=local, engine=engine, insight_engine=build_insight_engine(local))


def test_follow_fetches_first_names_the_show_and_processes_in_the_console(real_services):
    from tests.fakes.feeds_server import FeedServer

    with FeedServer() as server:
        url = local_show(server)
        text = _chat(real_services, f"follow {url}", "podcasts", "status")
    assert "Following Field Notes (podcast #1): 1 episode, the newest “Flaky tests and open" in text
    assert "Processed its newest 1 episode (1 ready): try `brief` or `ask …` now." in text
    assert "podbrief feeds poll" not in text and "podbrief process" not in text  # no shell
    assert "Podcasts this channel follows" in text and "#1 Field Notes — active" in text
    assert "Feeds: 1 followed (1 active)" in text and "failing" not in text


def test_follow_a_bad_url_follows_nothing_and_says_why(real_services, engine):
    from tests.fakes.feeds_server import FeedServer, Route

    with FeedServer() as server:
        server.routes["/gone"] = Route(status=410)
        text = _chat(real_services, f"follow {server.url('/gone')}", "podcasts")
    assert "Can't follow that feed: the publisher has taken this feed down (HTTP 410 Gone)." in text
    assert "Nothing was followed." in text
    assert "This channel follows no podcasts yet." in text


def test_podcasts_lists_only_what_this_channel_follows(real_services, engine):
    from sqlmodel import Session

    from bot.core.models import Podcast

    with Session(engine) as session:
        session.add(Podcast(url="https://elsewhere.example/f.xml", title="Other Channel's Show"))
        session.commit()
    text = _chat(real_services, "podcasts")
    assert "Other Channel's Show" not in text
    assert "Its topics draw on the 1 podcast podbrief already has." in text


def test_settings_tz_abbreviation_is_refused_with_the_region(real_services):
    text = _chat(real_services, "settings tz est", "settings tz berlin", "settings")
    assert "“est” is an abbreviation" in text and "Did you mean America/New_York?" in text
    assert "08:00 Europe/Berlin, every day" in text
    assert "08:00 EST" not in text
