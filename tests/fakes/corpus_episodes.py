"""Load corpus transcripts into a database as episodes (test helper over the real parser)."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from bot.core.models import Episode, Podcast
from bot.core.values import Segment
from bot.transcripts.parse import parse_transcript
from bot.transcripts.store import store_segments


def load_segments(path: Path) -> list[Segment]:
    """Segments of one corpus transcript file, parsed by ``bot.transcripts``."""
    return list(parse_transcript(path.read_bytes(), filename=path.name).segments)


def add_episode(
    session: Session,
    podcast: Podcast,
    title: str,
    segments: list[Segment],
    *,
    audio_url: str = "",
    published_at=None,
) -> Episode:
    """Store an episode with its segments (flushes, does not commit)."""
    episode = Episode(
        podcast_id=podcast.id,
        identity=f"title:{title}",
        title=title,
        audio_url=audio_url,
        published_at=published_at,
        status="done",
    )
    session.add(episode)
    session.flush()
    store_segments(session, episode.id, segments)
    return episode
