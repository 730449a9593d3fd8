"""An ask's scope checked before searching: an unknown podcast or episode is an error that
names the closest ones, never an empty answer."""

from __future__ import annotations

import difflib
import logging

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.core.errors import NotFound
from bot.core.models import Episode, Podcast
from bot.core.values import AskScope

log = logging.getLogger(__name__)

CLOSEST = 3


def check_scope(session: Session, scope: AskScope) -> None:
    """Raise NotFound naming the closest podcasts or episodes when the scope matches none."""
    if scope.podcast and not _podcast_matches(session, scope.podcast, scope.podcast_ids):
        titles = list(session.exec(_visible(select(Podcast.title), scope.podcast_ids)).all())
        raise NotFound(f"No podcast matches “{scope.podcast}”." + _closest(scope.podcast, titles))
    episode = session.get(Episode, scope.episode_id) if scope.episode_id is not None else None
    hidden = episode is not None and not _sees(scope.podcast_ids, episode.podcast_id)
    if scope.episode_id is not None and (episode is None or hidden):
        query = select(Episode.id, Episode.title).join(
            Podcast, col(Podcast.id) == col(Episode.podcast_id)
        )
        query = _visible(query, scope.podcast_ids)
        recent = session.exec(query.order_by(col(Episode.id).desc()).limit(50)).all()
        near = sorted(recent, key=lambda row: abs(row[0] - scope.episode_id))[:CLOSEST]
        listed = "; ".join(f"{i} “{t}”" for i, t in sorted(near))
        hint = f" Closest ids: {listed}." if listed else " There are no episodes yet."
        raise NotFound(f"No episode with id {scope.episode_id}.{hint}")


def _podcast_matches(session: Session, name: str, visible: frozenset[int] | None) -> bool:
    name = name.strip().lower()
    if name.isdigit():
        return session.get(Podcast, int(name)) is not None and _sees(visible, int(name))
    match = func.lower(Podcast.title).contains(name, autoescape=True)
    query = _visible(select(Podcast.id).where(match), visible)
    return session.exec(query.limit(1)).first() is not None


def _visible(query, visible: frozenset[int] | None):
    """``query`` (over Podcast) limited to the podcasts the asker may see."""
    return query if visible is None else query.where(col(Podcast.id).in_(sorted(visible)))


def _sees(visible: frozenset[int] | None, podcast_id: int) -> bool:
    return visible is None or podcast_id in visible


def _closest(name: str, titles: list[str]) -> str:
    by_lower = {t.lower(): t for t in titles}
    near = difflib.get_close_matches(name.lower(), list(by_lower), n=CLOSEST, cutoff=0.3)
    if not near:
        near = sorted(by_lower)[:CLOSEST]
    if not near:
        return " No podcasts are followed yet."
    return " Closest: " + ", ".join(f"“{by_lower[n]}”" for n in near) + "."
