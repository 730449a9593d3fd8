"""Read-side lookups of podcasts and episodes for the chat commands."""

from __future__ import annotations

import logging

from sqlmodel import Session, select

from bot.core.errors import InvalidInput, NotFound
from bot.core.models import Episode, Podcast
from bot.transcripts import imports as episodes

log = logging.getLogger(__name__)


def find_podcast(session: Session, ref: str) -> Podcast:
    """A podcast by id, title, feed URL or slug, else by unique title prefix or substring."""
    ref = ref.strip()
    try:
        return episodes.find_podcast(session, ref)
    except NotFound:
        pass
    needle = ref.casefold()
    podcasts = session.exec(select(Podcast)).all()
    prefix = [p for p in podcasts if p.title.casefold().startswith(needle)]
    matches = prefix or [p for p in podcasts if needle and needle in p.title.casefold()]
    if not matches:
        raise NotFound(f"No podcast called “{ref}”. Try `podcasts` for the list.")
    if len(matches) > 1:
        raise InvalidInput(f"“{ref}” matches {len(matches)} podcasts; use the id instead.")
    return matches[0]


def recent_episodes(
    session: Session, *, podcast_ref: str | None = None, limit: int = 10
) -> list[tuple[Episode, Podcast]]:
    """The newest episodes with their podcasts, optionally of one podcast (fuzzy name)."""
    podcast = find_podcast(session, podcast_ref) if podcast_ref else None
    found = episodes.list_episodes(
        session, podcast=str(podcast.id) if podcast else None, limit=limit
    )
    podcasts = {p.id: p for p in session.exec(select(Podcast)).all()}
    return [(episode, podcasts[episode.podcast_id]) for episode in found]


def get_episode(session: Session, episode_id: int) -> tuple[Episode, Podcast]:
    """An episode and its podcast; NotFound when there is no such episode."""
    episode = session.get(Episode, episode_id)
    if episode is None:
        raise NotFound(f"No episode with id {episode_id}. Try `episodes` for recent ones.")
    return episode, session.get(Podcast, episode.podcast_id)
