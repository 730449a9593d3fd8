"""👍/👎 on delivered insights, and the topic and show weights they give a channel."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from bot.core.clock import utcnow
from bot.core.errors import InvalidInput, NotFound
from bot.core.models import Channel, Episode, Feedback, Insight
from bot.text.keyphrases import stem_set

log = logging.getLogger(__name__)

TERM_STEP = 0.08  # per vote, on each stem of the rated insight's topics
PODCAST_STEP = 0.12  # per vote, on the rated insight's show
MAX_SHIFT = 0.3  # feedback nudges the order; it never outweighs relevance entirely
VOTE_BATCH = 500  # channel ids per query


@dataclass(frozen=True)
class ChannelWeights:
    """Score shifts learned from a channel's votes."""

    terms: dict[str, float] = field(default_factory=dict)  # topic stem → shift
    podcasts: dict[int, float] = field(default_factory=dict)  # podcast id → shift

    def shift(self, doc: frozenset[str], podcast_id: int) -> float:
        """The score shift for an insight with stems ``doc`` from ``podcast_id``."""
        by_terms = sum(self.terms.get(term, 0.0) for term in doc)
        by_terms = max(-MAX_SHIFT, min(MAX_SHIFT, by_terms))
        return by_terms + self.podcasts.get(podcast_id, 0.0)

    def __bool__(self) -> bool:
        return bool(self.terms or self.podcasts)


def record_feedback(
    session: Session, channel: Channel | int, insight_id: int, user_id: str, value: int
) -> Feedback:
    """Store a user's 👍 (+1) or 👎 (-1) on an insight; one vote per user, the latest wins."""
    if value not in (1, -1):
        raise InvalidInput(f"Feedback must be +1 or -1, not {value}.")
    channel_id = channel if isinstance(channel, int) else channel.id
    if session.get(Insight, insight_id) is None:
        raise NotFound(f"No insight with id {insight_id}.")
    query = select(Feedback).where(
        Feedback.channel_id == channel_id,
        Feedback.insight_id == insight_id,
        Feedback.user_id == user_id,
    )
    row = session.exec(query).first() or Feedback(
        channel_id=channel_id, insight_id=insight_id, user_id=user_id, value=value
    )
    row.value, row.created_at = value, utcnow()
    session.add(row)
    session.flush()
    return row


def channel_weights(session: Session, channel_id: int) -> ChannelWeights:
    """Topic-stem and show shifts from every vote in ``channel_id``."""
    return weights_by_channel(session, [channel_id]).get(channel_id, ChannelWeights())


def weights_by_channel(session: Session, channel_ids: list[int]) -> dict[int, ChannelWeights]:
    """Channel id → its shifts, for every channel of ``channel_ids`` with votes (one query
    per batch of ids)."""
    votes: dict[int, list[tuple[int, list[str], int]]] = {}
    for start in range(0, len(channel_ids), VOTE_BATCH):
        query = (
            select(Feedback.channel_id, Feedback.value, Insight.topics, Episode.podcast_id)
            .join(Insight, Insight.id == Feedback.insight_id)
            .join(Episode, Episode.id == Insight.episode_id)
            .where(col(Feedback.channel_id).in_(channel_ids[start : start + VOTE_BATCH]))
            .order_by(Feedback.channel_id, Feedback.id)
        )
        for channel_id, value, topics, podcast_id in session.exec(query):
            votes.setdefault(channel_id, []).append((value, topics, podcast_id))
    return {channel_id: _weights(rows) for channel_id, rows in votes.items()}


def _weights(votes: list[tuple[int, list[str], int]]) -> ChannelWeights:
    terms: dict[str, float] = {}
    podcasts: dict[int, float] = {}
    for value, topics, podcast_id in votes:
        for term in stem_set(" ".join(topics or [])):
            terms[term] = terms.get(term, 0.0) + TERM_STEP * value
        podcasts[podcast_id] = podcasts.get(podcast_id, 0.0) + PODCAST_STEP * value
    clip = lambda v: max(-MAX_SHIFT, min(MAX_SHIFT, v))  # noqa: E731 - tiny local helper
    return ChannelWeights(
        terms={t: clip(v) for t, v in terms.items()},
        podcasts={p: clip(v) for p, v in podcasts.items()},
    )
