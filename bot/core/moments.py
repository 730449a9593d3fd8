"""A moment in an episode, as readers see it (``12:34``) and as a link (``audio#t=754``)."""

from __future__ import annotations

# The start of a moment from a transcript that has no times: shown without ▶ 0:00, linked to
# the episode rather than a made-up second.
UNTIMED = -1.0


def is_timed(start: float) -> bool:
    """Whether ``start`` is a real time (not ``UNTIMED``)."""
    return start >= 0


def moment_label(start: float) -> str:
    """``▶ 12:34`` for a timed moment; ``episode`` when the transcript has no times."""
    return f"▶ {format_timestamp(start)}" if is_timed(start) else "episode"


def point_mark(start: float) -> str:
    """``▶ 1:15`` before a timed key point; a bullet when the transcript has no times."""
    return moment_label(start) if is_timed(start) else "•"


def short_time(start: float) -> str:
    """``12:34``, or ``episode`` when the transcript has no times."""
    return format_timestamp(start) if is_timed(start) else "episode"


def format_timestamp(seconds: float) -> str:
    """``754.0`` → ``12:34``; ``3725`` → ``1:02:05``; negative times read ``0:00``."""
    total = max(int(seconds), 0)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def moment_url(audio_url: str | None, link: str | None, start: float) -> str:
    """The audio at ``start`` (a ``#t=`` media fragment replacing any other), else the page.

    Untimed moments open the episode page (or the audio from its start)."""
    if audio_url and not is_timed(start):
        return link or audio_url.split("#", 1)[0]
    if audio_url:
        return f"{audio_url.split('#', 1)[0]}#t={int(start)}"
    return link or ""
