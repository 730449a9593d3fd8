"""Follow-up questions in a brief's thread: which episodes did that brief show?"""

from __future__ import annotations

import logging
import re

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.core.models import Channel, Delivery, DeliveryItem, Episode, Insight

log = logging.getLogger(__name__)

_ITEM_NUMBER = re.compile(r"(?:#|\bitem\s*)(\d{1,2})\b", re.IGNORECASE)


def brief_episodes(
    session: Session, *, platform: str, team_id: str, channel_ref: str, message_ref: str
) -> list[int]:
    """Episode ids of a delivered brief, in rank order ([] when the message is not a brief).

    ``message_ref`` is matched both bare and as ``channel_ref:message_ref`` because a
    publisher may store either form.
    """
    refs = [message_ref, f"{channel_ref}:{message_ref}"]
    query = (
        _items_query()
        .join(Channel, Channel.id == Delivery.channel_id)
        .where(Channel.platform == platform, Channel.team_id == team_id)
        .where(col(Delivery.message_ref).in_(refs))
    )
    return [episode_id for _, episode_id in session.exec(query).all()]


def delivery_episodes(session: Session, delivery_id: int) -> list[int]:
    """Episode ids of one delivery's items, in rank order (from a post's metadata tag)."""
    query = _items_query().where(Delivery.id == delivery_id)
    return [episode_id for _, episode_id in session.exec(query).all()]


def insight_episodes(engine: Engine, insight_ids: list[int]) -> dict[int, tuple[int, str]]:
    """``{insight_id: (episode_id, episode title)}`` for a brief's items (Discord reads the
    insight ids from the brief message's buttons)."""
    with Session(engine) as session:
        rows = session.exec(
            select(Insight.id, Insight.episode_id, Episode.title)
            .join(Episode, Episode.id == Insight.episode_id)
            .where(col(Insight.id).in_(insight_ids))
        )
        return {insight_id: (episode_id, title) for insight_id, episode_id, title in rows}


def _items_query():
    return (
        select(DeliveryItem.rank, Insight.episode_id)
        .join(Delivery, Delivery.id == DeliveryItem.delivery_id)
        .join(Insight, Insight.id == DeliveryItem.insight_id)
        .order_by(DeliveryItem.rank)
    )


def pick_episode(episode_ids: list[int], question: str) -> int | None:
    """The episode a follow-up is about: the only one, or the item number it names ("#2")."""
    unique = list(dict.fromkeys(episode_ids))
    if len(unique) == 1:
        return unique[0]
    match = _ITEM_NUMBER.search(question)
    if match and 1 <= int(match.group(1)) <= len(episode_ids):
        return episode_ids[int(match.group(1)) - 1]
    return None
