"""One output style for every command: JSON pretty-printed the same way, errors once on stderr."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer

from bot.core.errors import PodbriefError


def print_json(data: Any) -> None:
    """Print ``data`` as JSON: two-space indent, UTF-8 text as is, datetimes as ISO strings."""
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=_default))


def _default(value: Any) -> str:
    isoformat = getattr(value, "isoformat", None)
    return isoformat() if callable(isoformat) else str(value)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``error: message`` once on stderr; raise the returned Exit."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Turn a domain error into one line on stderr and exit status 1."""
    try:
        yield
    except PodbriefError as exc:
        raise fail(str(exc)) from None
