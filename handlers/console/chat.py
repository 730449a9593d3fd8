"""The console chat adapter: type the same commands as in Slack, see the replies in the terminal.

Interactive on a TTY (readline editing and history, ``exit`` or Ctrl-D to leave); scriptable
otherwise: one command per line from stdin, each reply printed in turn.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TextIO

from rich.console import Console

from bot.core.services import Services
from handlers.chat.replies import CommandRequest, Reply
from handlers.chat.router import dispatch
from handlers.console.render import print_reply

log = logging.getLogger(__name__)

EXIT_WORDS = {"exit", "quit", ":q", "/exit", "/quit"}
HISTORY_FILE = Path.home() / ".podbrief_history"
BANNER = "podbrief chat — type `help` for commands, `exit` or Ctrl-D to leave."


def console_request(text: str, *, user_id: str) -> CommandRequest:
    """A console command: the local user is admin of the one console channel."""
    return CommandRequest(
        platform="console", channel_ref="console", user_id=user_id, text=text, is_admin=True
    )


def handle_line(services: Services, text: str, *, user_id: str) -> Reply | None:
    """The reply to one typed line (None for blank lines and comments)."""
    text = text.strip()
    if not text or text.startswith("#"):
        return None
    return dispatch(services, console_request(text, user_id=user_id))


def scripted_lines(stream: TextIO) -> Iterator[str]:
    """Lines from a non-interactive stream, until EOF."""
    for line in stream:
        yield line.rstrip("\n")


def interactive_lines(prompt: str = "podbrief> ") -> Iterator[str]:
    """Lines typed at a prompt with readline editing and history, until Ctrl-D."""
    _load_history()
    try:
        while True:
            try:
                yield input(prompt)
            except EOFError:
                print()
                return
            except KeyboardInterrupt:  # Ctrl-C clears the line, as in a shell
                print()
    finally:
        _save_history()


def _load_history() -> None:
    try:
        import readline

        readline.set_history_length(1000)
        if HISTORY_FILE.exists():
            readline.read_history_file(HISTORY_FILE)
    except (ImportError, OSError) as err:  # no readline on this platform: plain input()
        log.debug("readline history unavailable: %s", err)


def _save_history() -> None:
    try:
        import readline

        readline.write_history_file(HISTORY_FILE)
    except (ImportError, OSError) as err:
        log.debug("could not save history: %s", err)


def run_chat(
    services: Services,
    lines: Iterable[str],
    *,
    console: Console,
    user_id: str,
    echo: bool = False,
    handle: Callable[..., Reply | None] = handle_line,
) -> int:
    """Answer each line until it ends or says exit; returns how many commands ran."""
    count = 0
    for text in lines:
        if text.strip().lower() in EXIT_WORDS:
            break
        if echo and text.strip():
            console.print(f"> {text.strip()}", style="dim", markup=False, highlight=False)
        reply = handle(services, text, user_id=user_id)
        if reply is not None:
            print_reply(console, reply)
            count += 1
    return count
