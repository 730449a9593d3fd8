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


class RateLimited(ServiceUnavailable):
    """A platform asked us to slow down; ``retry_after`` is how long to wait, in seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ChannelGone(PodbriefError):
    """A chat channel was deleted, archived, or removed the bot; stop posting there."""


class HistoryUnavailable(PodbriefError):
    """A platform would not show a channel's history, so whether a brief was already posted
    there cannot be checked: the delivery waits and asks again rather than posting blind."""


class NotYet(PodbriefError):
    """Work waiting on something outside (a transcription job still running): the episode is
    retried soon without using up one of its PROCESS_MAX_ATTEMPTS."""


class TranscriptionPending(NotYet):
    """A submitted transcription is not finished yet; the episode stays pending."""


class TranscriptionFailed(PodbriefError):
    """The transcription service rejected the episode (unreachable audio, unsupported language)."""


class TranscriptionSkipped(PodbriefError):
    """Policy or budget says this episode is not transcribed; the reason is the message."""


class StartupError(PodbriefError):
    """podbrief cannot start (database unreachable, port taken, token rejected); the message is
    one sentence saying what is wrong and what to check. Entry points print it and exit non-zero,
    never a traceback."""
