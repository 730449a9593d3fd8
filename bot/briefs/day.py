"""What the briefs of one local date share: the insight pool, the window's episode profiles,
each topic's terms and embedding.

A ``BriefDay`` is read once for a batch of channels (``compose_briefs``) or once per brief
(``compose_brief``, which re-reads everything, as a lone brief must). Each topic's terms,
scores and candidates are cached on the profiles, so a topic is scored once per day however
many channels follow it.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

import numpy as np
from sqlmodel import Session

from bot.briefs.coverage import terms_for, window_profiles
from bot.briefs.pool import InsightPool, load_pool
from bot.briefs.profiles import ProfileIndex
from bot.briefs.request import RankRequest
from bot.briefs.topical import ensure_topic_insights
from bot.core.errors import PodbriefError
from bot.core.services import Services

log = logging.getLogger(__name__)


class BriefDay:
    """The shared sources of one local date's briefs, loaded on first use."""

    def __init__(self, services: Services, session: Session, local_date: date) -> None:
        self.services, self.session, self.local_date = services, session, local_date
        self._pool: InsightPool | None = None
        self._profiles: ProfileIndex | None = None
        self._vectors: dict[str, np.ndarray] = {}
        self._embedder_down = False

    def request(self, topics: list[str], start: datetime, end: datetime, **options) -> RankRequest:
        """The rank request for ``topics`` in the window ``start``–``end``.

        Topics that strongly matching episodes say nothing stored about get a claim stored
        first (``ensure_topic_insights``); the pool is then reloaded for this request and the
        profiles for the next one, exactly as briefs composed one by one see them.
        """
        settings = self.services.settings
        pool, profiles = self._sources()
        terms = {topic: terms_for(profiles, topic) for topic in topics}
        if ensure_topic_insights(self.session, pool, profiles, list(terms.values())):
            self.session.flush()
            pool = self._pool = load_pool(self.session)
            self._profiles = None
        return RankRequest(
            topics=terms,
            window_start=start,
            window_end=end,
            max_per_episode=settings.max_items_per_episode,
            related_per_item=settings.related_per_item,
            min_relevance=settings.min_topic_relevance,
            topic_vectors=self._topic_vectors(topics),
            profiles=profiles,
            pool=pool,
            **options,
        )

    def _sources(self) -> tuple[InsightPool, ProfileIndex]:
        if self._pool is None:
            self._pool = load_pool(self.session)
        if self._profiles is None:
            days = self.services.settings.freshness_days
            self._profiles = window_profiles(self.session, self.local_date, days, self._pool)
        return self._pool, self._profiles

    def _topic_vectors(self, topics: list[str]) -> dict[str, np.ndarray]:
        """Topic embeddings when an embedder is configured; lexical matching alone otherwise."""
        embedder = self.services.embedder
        if embedder is None or not topics or self._embedder_down:
            return {}
        missing = [topic for topic in topics if topic not in self._vectors]
        if missing:
            try:
                vectors = embedder.embed(missing)
            except PodbriefError as exc:
                # why: 1,000 channels each waiting out the embedder's timeout would undo the
                # shared day's gain; today matches words only
                log.warning("topic embeddings unavailable, matching words only: %s", exc)
                self._embedder_down = True
                return {}
            for n, topic in enumerate(missing):
                self._vectors[topic] = vectors[n]
        return {topic: self._vectors[topic] for topic in topics}
