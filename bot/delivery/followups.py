"""Follow-up questions in a brief's thread: which episodes did that brief show?"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.core.models import Channel, Delivery, DeliveryItem, Episode, Insight
from bot.core.values import Answer, AskScope

if TYPE_CHECKING:
    from bot.core.services import Services

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


EPISODE_SILENT = "That episode doesn't cover this."


def answer_followup(
    services: Services,
    session: Session,
    question: str,
    episode_id: int,
    *,
    visible: frozenset[int] | None = None,
) -> Answer:
    """A thread follow-up answered from its item's episode, the same way ``ask`` answers.

    When that episode doesn't cover the question, the reply says so and gives the answer
    from all the followed shows instead (itself "not covered" when they don't either).
    ``visible``: the podcasts the asker's workspace may see (None: all).
    """
    from bot.ask.answers import answer_question

    scope = AskScope(episode_id=episode_id, podcast_ids=visible)
    scoped = answer_question(services, session, question, scope=scope)
    if scoped.answered:
        return scoped
    wider = answer_question(services, session, question, scope=AskScope(podcast_ids=visible))
    prefix = f"{EPISODE_SILENT} From all your shows:" if wider.answered else EPISODE_SILENT
    return replace(wider, answer=f"{prefix} {wider.answer}")
