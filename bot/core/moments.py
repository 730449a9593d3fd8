"""A moment in an episode, as readers see it (``12:34``) and as a link (``audio#t=754``)."""

from __future__ import annotations


def format_timestamp(seconds: float) -> str:
    """``754.0`` → ``12:34``; ``3725`` → ``1:02:05``; negative times read ``0:00``."""
    total = max(int(seconds), 0)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def moment_url(audio_url: str | None, link: str | None, start: float) -> str:
    """The audio at ``start`` (a ``#t=`` media fragment replacing any other), else the page."""
    if audio_url:
        return f"{audio_url.split('#', 1)[0]}#t={int(start)}"
    return link or ""
