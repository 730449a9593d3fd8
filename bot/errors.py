"""Domain errors. The command router turns them into short, friendly replies."""

from __future__ import annotations


class PodbriefError(Exception):
    """Root of every error the user may see; ``str(err)`` is the user-facing message."""


class NotFound(PodbriefError):
    """A podcast, episode, channel or subscription that does not exist."""


class InvalidInput(PodbriefError):
    """A command argument, URL, time zone or file that cannot be accepted."""


class UnsafeURL(InvalidInput):
    """A URL pointing somewhere podbrief refuses to fetch (private address, bad scheme)."""


class FetchError(PodbriefError):
    """A remote resource could not be fetched (HTTP error, timeout, too large).

    ``status`` is the HTTP status when there was one; ``retry_after`` the seconds a 429/503
    asked us to wait.
    """

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class TranscriptError(PodbriefError):
    """A transcript that cannot be parsed."""


class ServiceUnavailable(PodbriefError):
    """An external service (OpenAI, AssemblyAI, Slack, Discord) is down or over its limits."""


class BudgetExceeded(PodbriefError):
    """The transcription budget for the day or month is spent."""
