"""What a brief asks of the pool (RankRequest) and what ranking answers (Pick, Ranking)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from bot.briefs.feedback import ChannelWeights
from bot.briefs.pool import InsightPool, PoolInsight
from bot.briefs.profiles import EpisodeMatch, ProfileIndex
from bot.briefs.wording import TopicTerms


@dataclass(frozen=True)
class RankRequest:
    """What a channel (or an ad-hoc topic list) wants from the pool."""

    topics: dict[str, TopicTerms]  # topic text → its terms (bot.briefs.wording)
    window_start: datetime
    window_end: datetime
    size: int = 5
    max_per_episode: int = 2
    related_per_item: int = 3
    min_relevance: float = 0.5
    podcast_ids: frozenset[int] = frozenset()
    visible: frozenset[int] | None = None  # the podcasts the channel's workspace may see
    delivered: frozenset[int] = frozenset()
    last_brief_at: datetime | None = None
    weights: ChannelWeights = field(default_factory=ChannelWeights)
    topic_vectors: dict[str, np.ndarray] = field(default_factory=dict)
    profiles: ProfileIndex | None = None
    pool: InsightPool | None = None  # the pool the request was built over (saves a reload)


@dataclass
class Pick:
    """A ranked insight with the reasons it won."""

    item: PoolInsight
    score: float
    relevance: float
    freshness: float
    shift: float
    topic: str
    matched: list[str]
    related: list = field(default_factory=list)  # bot.briefs.related.Related
    why: str = ""  # the reasons in plain words (bot.briefs.explain)
    folded: list[PoolInsight] = field(default_factory=list)
    text_match: float = 0.0
    episode: EpisodeMatch | None = None
    window_days: int = 7
    age_days: int | None = None
    turn: str = ""  # why this pick came now when topics take turns


@dataclass
class Ranking:
    picks: list[Pick]
    explanation: list[str]
    considered: int = 0
    best_below: dict[str, list[Pick]] = field(default_factory=dict)  # topics with none: misses
    matched_topics: dict[str, int] = field(default_factory=dict)  # per topic, new matches
