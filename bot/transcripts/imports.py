"""Episodes from local transcript files, and listing what is stored."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import UTC, datetime
from pathlib import PurePath

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from bot.core.errors import InvalidInput, NotFound
from bot.core.models import Episode, Podcast, TranscriptSegment
from bot.transcripts.parse import parse_transcript
from bot.transcripts.store import store_segments

log = logging.getLogger(__name__)

LOCAL_URL_PREFIX = "local:"


def slugify(name: str) -> str:
    """``"The Inference Hour!"`` → ``"the-inference-hour"``."""
    slug = re.sub(r"[^\w]+", "-", name.casefold()).strip("-_")
    return slug or "podcast"


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


def find_podcast(session: Session, ref: str) -> Podcast:
    """A podcast by id, title (case-insensitive), feed URL or local slug."""
    ref = ref.strip()
    conditions = [
        func.lower(Podcast.title) == ref.casefold(),
        Podcast.url == ref,
        Podcast.url == LOCAL_URL_PREFIX + slugify(ref),
    ]
    if ref.isdigit():
        conditions.append(Podcast.id == int(ref))
    podcast = session.exec(select(Podcast).where(or_(*conditions))).first()
    if podcast is None:
        raise NotFound(f"no podcast matches {ref!r}")
    return podcast


def list_episodes(
    session: Session, *, podcast: str | None = None, limit: int = 50
) -> list[Episode]:
    """Episodes, newest first (by publication, then by when they were added)."""
    query = select(Episode)
    if podcast:
        query = query.where(Episode.podcast_id == find_podcast(session, podcast).id)
    newest = func.coalesce(Episode.published_at, Episode.created_at)
    query = query.order_by(newest.desc(), col(Episode.id).desc()).limit(limit)
    return list(session.exec(query))
