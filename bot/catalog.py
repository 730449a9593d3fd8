"""Read-side lookups of podcasts and episodes for the chat commands."""

from __future__ import annotations

import logging

from sqlmodel import Session, col, select

from bot.errors import InvalidInput, NotFound
from bot.models import Episode, Podcast

log = logging.getLogger(__name__)


def find_podcast(session: Session, ref: str) -> Podcast:
    """A podcast by id, exact title, or unique title prefix/substring (case-insensitive)."""
    ref = ref.strip()
    if ref.isdigit():
        podcast = session.get(Podcast, int(ref))
        if podcast is None:
            raise NotFound(f"No podcast with id {ref}.")
        return podcast
    podcasts = session.exec(select(Podcast)).all()
    exact = [p for p in podcasts if p.title.casefold() == ref.casefold()]
    needle = ref.casefold()
    prefix = [p for p in podcasts if p.title.casefold().startswith(needle)]
    matches = exact or prefix or [p for p in podcasts if needle in p.title.casefold()]
    if not matches:
        raise NotFound(f"No podcast called “{ref}”. Try `podcasts` for the list.")
    if len(matches) > 1:
        raise InvalidInput(f"“{ref}” matches {len(matches)} podcasts; use the id instead.")
    return matches[0]


def recent_episodes(
    session: Session, *, podcast_id: int | None = None, limit: int = 10
) -> list[tuple[Episode, Podcast]]:
    """The newest episodes (by publication, then arrival), optionally of one podcast."""
    query = select(Episode, Podcast).join(Podcast, Podcast.id == Episode.podcast_id)
    if podcast_id is not None:
        query = query.where(Episode.podcast_id == podcast_id)
    query = query.order_by(
        col(Episode.published_at).desc().nulls_last(), col(Episode.id).desc()
    ).limit(limit)
    return [(episode, podcast) for episode, podcast in session.exec(query).all()]


def get_episode(session: Session, episode_id: int) -> tuple[Episode, Podcast]:
    """An episode and its podcast; NotFound when there is no such episode."""
    episode = session.get(Episode, episode_id)
    if episode is None:
        raise NotFound(f"No episode with id {episode_id}. Try `episodes` for recent ones.")
    return episode, session.get(Podcast, episode.podcast_id)
