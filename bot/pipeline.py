"""From a pending episode to segments, insights, summary and index entries.

``process_episode`` does the work for one episode; ``process_pending`` runs it over the queue.
(Claiming with SKIP LOCKED, retries and dead-lettering are layered on in ``bot/work.py``.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlmodel import select

from bot.clock import utcnow
from bot.db import session_scope
from bot.errors import PodbriefError
from bot.models import Episode, Podcast
from bot.ports import EpisodeContext
from bot.services import Services

log = logging.getLogger(__name__)


def episode_context(podcast: Podcast, episode: Episode) -> EpisodeContext:
    """What an insight engine needs to know about ``episode`` besides its segments."""
    return EpisodeContext(
        episode_id=episode.id,
        podcast=podcast.title,
        title=episode.title,
        description=episode.description,
        chapters=list(episode.chapters or []),
        persons=list(episode.persons or []),
        duration_s=episode.duration_s,
    )


def process_episode(services: Services, episode_id: int) -> None:
    """Transcript → segments → insights and summary → index, for one episode.

    Raises ``PodbriefError`` (with a one-line reason) when the episode cannot be processed now.
    """
    from bot.insights import store_extraction
    from bot.search import index_episode
    from bot.transcripts.sources import obtain_segments

    with session_scope(services.engine) as session:
        episode = session.get(Episode, episode_id)
        podcast = session.get(Podcast, episode.podcast_id)
        segments = obtain_segments(services, session, episode)
        extraction = services.insight_engine.extract(episode_context(podcast, episode), segments)
        store_extraction(session, episode, extraction)
        index_episode(session, episode.id, embedder=services.embedder)
        episode.status, episode.status_reason = "done", None
        episode.processed_at = utcnow()
        session.add(episode)


def pending_episode_ids(services: Services) -> list[int]:
    """Ids of episodes queued for processing, oldest first."""
    with session_scope(services.engine) as session:
        query = select(Episode.id).where(Episode.status == "pending").order_by(Episode.id)
        return list(session.exec(query))


def process_pending(
    services: Services, on_progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Process every pending episode; one failure never stops the others."""
    ids = pending_episode_ids(services)
    done = failed = 0
    for number, episode_id in enumerate(ids, start=1):
        try:
            process_episode(services, episode_id)
            done += 1
        except PodbriefError as exc:
            failed += 1
            _record_failure(services, episode_id, str(exc))
        if on_progress:
            on_progress(number, len(ids))
    return {"done": done, "failed": failed}


def _record_failure(services: Services, episode_id: int, reason: str) -> None:
    log.warning("episode %s not processed: %s", episode_id, reason)
    with session_scope(services.engine) as session:
        episode = session.get(Episode, episode_id)
        episode.status_reason = reason
        episode.attempts += 1
        session.add(episode)
