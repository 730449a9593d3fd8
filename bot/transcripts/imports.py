"""Episodes from local transcript files, and listing what is stored."""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from pathlib import PurePath

from sqlalchemy import func
from sqlmodel import Session, select

from bot.core.errors import InvalidInput
from bot.core.models import Episode, Podcast, TranscriptSegment
from bot.feeds.catalog import LOCAL_URL_PREFIX, slugify
from bot.transcripts.parse import parse_transcript
from bot.transcripts.store import store_segments

log = logging.getLogger(__name__)


def local_podcast(session: Session, name: str) -> Podcast:
    """The local (imported-files) podcast called ``name``, created on first use."""
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("a podcast name is required")
    url = LOCAL_URL_PREFIX + slugify(name)
    podcast = session.exec(select(Podcast).where(Podcast.url == url)).first()
    if podcast is None:
        podcast = Podcast(url=url, title=name, status="active")
        session.add(podcast)
        session.flush()
    return podcast


def parse_published(value: str | None) -> datetime | None:
    """An ISO 8601 date or date-time as aware UTC (naive values are taken as UTC)."""
    if value is None or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"not an ISO 8601 date or time: {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def import_episode(
    session: Session,
    data: bytes,
    *,
    filename: str,
    podcast_name: str,
    title: str | None = None,
    published: datetime | None = None,
    mime: str | None = None,
) -> tuple[Episode, int]:
    """Create a pending episode from a transcript file; re-importing the same bytes is a no-op.

    Returns the episode and its number of stored segments. Raises TranscriptError (nothing is
    stored) when the file cannot be parsed.
    """
    parsed = parse_transcript(data, mime=mime, filename=filename)
    podcast = local_podcast(session, podcast_name)
    identity = "import:sha256:" + hashlib.sha256(data).hexdigest()
    existing = session.exec(
        select(Episode).where(Episode.podcast_id == podcast.id, Episode.identity == identity)
    ).first()
    if existing is not None:
        log.info("%s already imported as episode %s", filename, existing.id)
        return existing, segment_count(session, existing.id)
    episode = Episode(
        podcast_id=podcast.id,
        identity=identity,
        title=title or PurePath(filename).stem.replace("_", " "),
        published_at=published,
        duration_s=max((s.end for s in parsed.segments), default=None),
        status="pending",
        transcript_source="import",
        transcript_format=parsed.format,
    )
    session.add(episode)
    session.flush()
    count = store_segments(session, episode.id, parsed.segments)
    log.info("imported %s as episode %s (%d segments)", filename, episode.id, count)
    return episode, count


def segment_count(session: Session, episode_id: int) -> int:
    """How many transcript segments are stored for the episode."""
    query = select(func.count()).where(TranscriptSegment.episode_id == episode_id)
    return int(session.exec(query).one())
