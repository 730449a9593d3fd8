"""The command-line parser shared by every platform: shell-like, but forgiving."""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass
from typing import Any

from bot.core.errors import InvalidInput
from handlers.chat.commands import Arg, Command, ParsedCommand, command_table

_QUOTES = {'"': '"', "'": "'", "“": "”", "”": "”", "„": "“", "‘": "’", "’": "’", "«": "»"}
_PREFIXES = ("/podbrief", "podbrief")


@dataclass(frozen=True)
class Token:
    """One word of a command line and where it sits in the raw text."""

    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Split like a shell, tolerating smart quotes, apostrophes inside words and open quotes."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        if text[i] in _QUOTES:  # a quote opens only at the start of a word
            close = _QUOTES[text[i]]
            end = _find_close(text, i + 1, close)
            tokens.append(Token(text[i + 1 : end], start, min(end + 1, n)))
            i = end + 1
            continue
        while i < n and not text[i].isspace():
            i += 1
        tokens.append(Token(text[start:i], start, i))
    return tokens


def _find_close(text: str, i: int, close: str) -> int:
    """Index of the closing quote; an unbalanced quote runs to the end of the line."""
    candidates = {close, '"'} if close in "”“" else {close}
    while i < len(text) and text[i] not in candidates:
        i += 1
    return i


def strip_prefix(text: str) -> str:
    """Drop a leading ``/podbrief``, ``podbrief`` or a bot mention like ``<@U123>``."""
    text = text.strip()
    if text.startswith("<@") and ">" in text:
        text = text[text.index(">") + 1 :].strip()
    for prefix in _PREFIXES:
        if text.lower() == prefix or text.lower().startswith(prefix + " "):
            return text[len(prefix) :].strip()
    return text


@functools.cache
def _commands_by_name() -> dict[str, Command]:
    """The table is constant (frozen dataclasses), so it is indexed once per process."""
    return {command.name: command for command in command_table()}


def find_command(name: str) -> Command:
    """The command called ``name`` (case-insensitive); InvalidInput names the nearest one."""
    table = _commands_by_name()
    if name.lower() in table:
        return table[name.lower()]
    close = difflib.get_close_matches(name.lower(), table, n=1)
    hint = f" Did you mean `{close[0]}`?" if close else ""
    raise InvalidInput(f"Unknown command “{name}”.{hint} Try `help`.")


def parse(text: str) -> ParsedCommand:
    """Turn what someone typed into a command and its arguments; InvalidInput when it can't."""
    text = strip_prefix(text)
    tokens = tokenize(text)
    if not tokens:
        return ParsedCommand(find_command("help"), {"command": None})
    command = find_command(tokens[0].text)
    return ParsedCommand(command, _bind(command, text, tokens[1:]))


def _bind(command: Command, text: str, tokens: list[Token]) -> dict[str, Any]:
    flags = {arg.name for arg in command.args if arg.kind == "flag"}
    args: dict[str, Any] = {name: False for name in flags}
    words = list(tokens)
    # flags count at either end ("ask --share why?", "ask why? --share"); in the middle of a
    # question they are just words
    while words and _flag(words[0], flags):
        args[_flag(words.pop(0), flags)] = True
    while words and _flag(words[-1], flags):
        args[_flag(words.pop(), flags)] = True
    for arg in (a for a in command.args if a.kind != "flag"):
        if arg.rest:
            args[arg.name] = _rest_text(text, words) or None
            words = []
        else:
            args[arg.name] = _convert(arg, words.pop(0).text) if words else None
        if arg.required and args[arg.name] in (None, ""):
            raise InvalidInput(f"Missing {arg.name.upper()}. Usage: `{command.usage}`")
    if words:
        extra = " ".join(token.text for token in words)
        raise InvalidInput(f"Unexpected “{extra}”. Usage: `{command.usage}`")
    return args


def _flag(token: Token, flags: set[str]) -> str | None:
    name = token.text[2:].lower() if token.text.startswith("--") else None
    return name if name in flags else None


def _rest_text(text: str, words: list[Token]) -> str:
    """The raw remainder (keeps apostrophes and spacing), one surrounding quote pair removed."""
    if not words:
        return ""
    if len(words) == 1:
        return words[0].text.strip()
    return text[words[0].start : words[-1].end].strip()


def _convert(arg: Arg, value: str) -> Any:
    if arg.kind in ("int", "episode"):
        digits = value.lstrip("#")
        if not digits.isdigit():
            raise InvalidInput(f"{arg.name.upper()} must be a number, got “{value}”.")
        return int(digits)
    if arg.kind == "url" and not value.lower().startswith(("http://", "https://")):
        raise InvalidInput(f"“{value}” is not a feed URL; it must start with https:// or http://.")
    return value
