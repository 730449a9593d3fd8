"""When a paid service is down, the offline engines take over and say so."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from bot.answers import Passage
from bot.errors import ServiceUnavailable
from bot.ports import EpisodeContext, Extraction, InsightEngine, WrittenAnswer
from bot.transcripts import Segment

log = logging.getLogger(__name__)

_SENTENCE = re.compile(r"(?<=[.!?])\s+")


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


class QuotingAnswerWriter:
    """The offline answer: the best passage's opening sentences, cited as [1]."""

    name = "extractive"

    def write_answer(self, question: str, passages: Sequence[Passage]) -> WrittenAnswer:
        """Quote the top passage (retrieval already ranked it)."""
        if not passages:
            return WrittenAnswer("The stored episodes don't say.", [], found=False)
        sentences = _SENTENCE.split(" ".join(passages[0].text.split()))
        return WrittenAnswer(" ".join(sentences[:2]) + " [1]", [1], found=True)


class FallbackAnswerWriter:
    """The LLM answer writer, or the extractive one when the LLM is down."""

    def __init__(self, primary, fallback=None) -> None:
        self.primary = primary
        self.fallback = fallback or QuotingAnswerWriter()
        self.last_engine = "llm"

    def write_answer(self, question: str, passages: Sequence[Passage]) -> WrittenAnswer:
        """The primary's answer; the fallback's when the primary fails."""
        try:
            answer = self.primary.write_answer(question, passages)
            self.last_engine = getattr(self.primary, "name", "llm")
        except ServiceUnavailable as exc:
            log.warning("answer writer unavailable (%s); answering extractively", exc)
            answer = self.fallback.write_answer(question, passages)
            self.last_engine = getattr(self.fallback, "name", "extractive")
        return answer
