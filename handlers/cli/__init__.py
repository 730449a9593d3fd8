"""The ``podbrief`` command line and the one composition root."""

from handlers.cli.app import main

__all__ = ["main"]
