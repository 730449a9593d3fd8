"""Read-side lookups of podcasts and episodes (CLI and chat commands)."""

from __future__ import annotations

import logging
import re

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from bot.core.errors import InvalidInput, NotFound
from bot.core.models import Episode, Podcast
from bot.core.tenancy import only_visible

log = logging.getLogger(__name__)

LOCAL_URL_PREFIX = "local:"


def slugify(name: str) -> str:
    """``"The Inference Hour!"`` → ``"the-inference-hour"``."""
    slug = re.sub(r"[^\w]+", "-", name.casefold()).strip("-_")
    return slug or "podcast"


Visible = frozenset[int] | None  # the podcast ids a workspace may see; None: all (the operator)


def find_podcast_exact(session: Session, ref: str, *, visible: Visible = None) -> Podcast:
    """A podcast by id, title (case-insensitive), feed URL or local slug (among ``visible``)."""
    ref = ref.strip()
    conditions = [
        func.lower(Podcast.title) == ref.casefold(),
        Podcast.url == ref,
        Podcast.url == LOCAL_URL_PREFIX + slugify(ref),
    ]
    if ref.isdigit():
        conditions.append(Podcast.id == int(ref))
    query = only_visible(select(Podcast).where(or_(*conditions)), Podcast.id, visible)
    podcast = session.exec(query).first()
    if podcast is None:
        raise NotFound(f"no podcast matches {ref!r}")
    return podcast


def list_episodes(
    session: Session, *, podcast: str | None = None, limit: int = 50, visible: Visible = None
) -> list[Episode]:
    """Episodes, newest first (by publication, then by when they were added)."""
    query = only_visible(select(Episode), Episode.podcast_id, visible)
    if podcast:
        found = find_podcast_exact(session, podcast, visible=visible)
        query = query.where(Episode.podcast_id == found.id)
    newest = func.coalesce(Episode.published_at, Episode.created_at)
    query = query.order_by(newest.desc(), col(Episode.id).desc()).limit(limit)
    return list(session.exec(query))


def find_podcast(session: Session, ref: str, *, visible: Visible = None) -> Podcast:
    """A podcast by id, title, feed URL or slug, else by unique title prefix or substring."""
    ref = ref.strip()
    try:
        return find_podcast_exact(session, ref, visible=visible)
    except NotFound:
        pass
    needle = ref.casefold()
    podcasts = session.exec(only_visible(select(Podcast), Podcast.id, visible)).all()
    prefix = [p for p in podcasts if p.title.casefold().startswith(needle)]
    matches = prefix or [p for p in podcasts if needle and needle in p.title.casefold()]
    if not matches:
        raise NotFound(f"No podcast called “{ref}”. Try `podcasts` for the list.")
    if len(matches) > 1:
        raise InvalidInput(f"“{ref}” matches {len(matches)} podcasts; use the id instead.")
    return matches[0]


def recent_episodes(
    session: Session, *, podcast_ref: str | None = None, limit: int = 10, visible: Visible = None
) -> list[tuple[Episode, Podcast]]:
    """The newest episodes with their podcasts, optionally of one podcast (fuzzy name)."""
    podcast = find_podcast(session, podcast_ref, visible=visible) if podcast_ref else None
    found = list_episodes(
        session, podcast=str(podcast.id) if podcast else None, limit=limit, visible=visible
    )
    podcasts = {p.id: p for p in session.exec(select(Podcast)).all()}
    return [(episode, podcasts[episode.podcast_id]) for episode in found]


def get_episode(
    session: Session, episode_id: int, *, visible: Visible = None
) -> tuple[Episode, Podcast]:
    """An episode and its podcast; NotFound when there is no such episode (to this viewer)."""
    episode = session.get(Episode, episode_id)
    if episode is None or (visible is not None and episode.podcast_id not in visible):
        raise NotFound(f"No episode with id {episode_id}. Try `episodes` for recent ones.")
    return episode, session.get(Podcast, episode.podcast_id)


def empty_library_hint(session: Session, *, chat: bool = False) -> str | None:
    """How to add episodes when there are none processed yet (what `ask` says instead of
    "I couldn't find anything"); None once any episode is processed."""
    done = session.exec(select(func.count()).where(Episode.status == "done")).one()
    if done:
        return None
    if chat:
        return (
            "There are no processed episodes to answer from yet. Follow a show with "
            "`follow FEED_URL`; its newest episodes are ready a few minutes later."
        )
    return (
        "There are no processed episodes in this database yet. Add a show with "
        "`podbrief feeds add URL --now`, or point DATABASE_URL at the demo's data "
        "(`podbrief demo --db demo.db`, then DATABASE_URL=sqlite:///demo.db)."
    )
