"""When the LLM is down, the offline insight engine takes over and says so.

(``ask`` needs no wrapper: ``bot.ask.answers`` answers extractively when the writer raises.)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.core.errors import ServiceUnavailable
from bot.core.ports import EpisodeContext, Extraction, InsightEngine
from bot.core.values import Segment

log = logging.getLogger(__name__)


class FallbackInsightEngine:
    """The primary (LLM) engine, or the fallback (extractive) one when the primary is down.

    ``Extraction.engine`` names the engine that actually produced the items, so the brief can
    say which came from where.
    """

    def __init__(self, primary: InsightEngine, fallback: InsightEngine) -> None:
        self.primary = primary
        self.fallback = fallback
        self.name = primary.name

    def extract(self, episode: EpisodeContext, segments: Sequence[Segment]) -> Extraction:
        """Insights from the primary engine; from the fallback when the primary fails."""
        try:
            return self.primary.extract(episode, segments)
        except ServiceUnavailable as exc:
            log.warning(
                "episode %s: %s; using the %s engine", episode.episode_id, exc, self.fallback.name
            )
            return self.fallback.extract(episode, segments)
