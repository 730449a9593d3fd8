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
