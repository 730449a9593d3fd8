"""``podbrief chat``: the console chat adapter (the embedded default, no tokens needed)."""

from __future__ import annotations

import getpass
import logging
import sys

import typer
from rich.console import Console

from handlers.cli.root import runtime
from handlers.console import chat


def register(app: typer.Typer) -> None:
    @app.command("chat")
    def chat_command(
        ctx: typer.Context,
        user: str = typer.Option("", help="Your user id in the console (default: login name)."),
    ) -> None:
        """Type the same commands as in Slack (`help`, `subscribe AI`, `brief`, `ask …`)."""

        rt = runtime(ctx)
        if rt.settings.log_level.upper() == "INFO":  # keep the chat readable; DEBUG still shows
            logging.getLogger().setLevel(logging.WARNING)
        services = rt.services()
        user_id = user or _login_name()
        out = Console()
        if sys.stdin.isatty():
            out.print(chat.BANNER, markup=False, highlight=False)
            chat.run_chat(services, chat.interactive_lines(), console=out, user_id=user_id)
        else:
            lines = chat.scripted_lines(sys.stdin)
            chat.run_chat(services, lines, console=out, user_id=user_id, echo=True)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        return "local"
