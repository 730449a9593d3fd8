"""Insight engines behind one protocol: the offline extractive engine and storing results."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import delete, or_
from sqlmodel import Session, select

from bot.core.config import Settings
from bot.core.models import DeliveryItem, Episode, EpisodeSummary, Feedback, Insight
from bot.core.moments import UNTIMED
from bot.core.ports import EpisodeContext, ExtractedInsight, Extraction, InsightEngine
from bot.core.values import Segment
from bot.insights import people, weights
from bot.insights.claims import Claim, candidate_claims
from bot.insights.faults import insight_faults
from bot.insights.features import claim_features, episode_view
from bot.insights.non_content import non_content
from bot.insights.summaries import extractive_summary
from bot.text.keyphrases import keyphrases, stem_set, stems
from bot.text.sentences import Sentence, split_sentences

log = logging.getLogger(__name__)

MAX_OVERLAP = 0.5  # Jaccard of stems above which two claims say the same thing


class ExtractiveEngine:
    """Offline insights: central, claim-like transcript passages, lightly cleaned."""

    name = "extractive"

    def __init__(self, settings: Settings) -> None:
        self.limit = settings.insights_per_episode

    def extract(self, episode: EpisodeContext, segments: Sequence[Segment]) -> Extraction:
        """Insights and a summary for one episode, from its segments alone."""
        sentences = split_sentences(segments)
        phrases = episode_keyphrases(episode, sentences)
        on_air = people.cast(episode, sentences)
        scored = self.rank(sentences, phrases, on_air)
        chosen = select_claims(scored, self.limit)
        insights = sorted(
            (_to_insight(claim, score, phrases) for claim, score in chosen),
            key=lambda i: i.start,
        )
        summary = extractive_summary(episode, sentences, phrases, insights, on_air)
        log.info(
            "episode %s: %d insights from %d sentences",
            episode.episode_id,
            len(insights),
            len(sentences),
        )
        return Extraction(insights=insights, summary=summary, engine=self.name)

    @staticmethod
    def rank(
        sentences: list[Sentence], phrases: list[str], on_air: people.Cast
    ) -> list[tuple[Claim, float]]:
        """Every candidate claim that passes the gate, with its score."""
        claims = candidate_claims(sentences, skip=frozenset(non_content(sentences)))
        claims = [claim for claim in claims if not insight_faults(claim)]  # the gate
        return _score_claims(claims, sentences, phrases, on_air)


def episode_keyphrases(episode: EpisodeContext, sentences: list[Sentence]) -> list[str]:
    """The episode's 15 keyphrases, never a speaker's, the show's or a listed person's name."""
    names = {s.speaker for s in sentences if s.speaker} | {episode.podcast}
    names |= {p.get("name", "") for p in episode.persons}
    texts = [s.text for s in sentences]
    return keyphrases([*texts, episode.title, episode.description], 15, names)


def without_made_up_times(extraction: Extraction, segments: Sequence[Segment]) -> Extraction:
    """Items and key points from a transcript with no times carry no time (not 0:00).

    Applied to every engine's output: an LLM given an untimed transcript answers 0:00 too.
    """
    if any(s.start > 0 or s.end > 0 for s in segments):
        return extraction
    insights = [replace(i, start=UNTIMED, end=UNTIMED) for i in extraction.insights]
    points = [replace(p, start=UNTIMED) for p in extraction.summary.key_points]
    summary = replace(extraction.summary, key_points=points)
    return replace(extraction, insights=insights, summary=summary)


def build_insight_engine(settings: Settings) -> InsightEngine:
    """The extractive engine offline; the LLM engine when OPENAI_API_KEY is set."""
    return ExtractiveEngine(settings)


def _score_claims(
    claims: list[Claim], sentences: list[Sentence], phrases: list[str], on_air: people.Cast
) -> list[tuple[Claim, float]]:
    """Each claim's learned score over its features (``bot.insights.weights``)."""
    view = episode_view(sentences, phrases, set(on_air.hosts), set(on_air.guests))
    return [(claim, weights.score(claim_features(claim, view))) for claim in claims]


def select_claims(scored: list[tuple[Claim, float]], limit: int) -> list[tuple[Claim, float]]:
    """Best claims first, none overlapping in sentences or repeating another's idea."""
    chosen: list[tuple[Claim, float]] = []
    used: set[int] = set()
    seen: list[frozenset[str]] = []
    for claim, score in sorted(scored, key=lambda item: (-item[1], item[0].first)):
        span = set(range(claim.first, claim.last + 1))
        if span & used:
            continue
        terms = stem_set(claim.text)
        if any(_jaccard(terms, other) > MAX_OVERLAP for other in seen):
            continue
        chosen.append((claim, score))
        used |= span
        seen.append(terms)
        if len(chosen) >= limit:
            break
    return chosen


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _to_insight(claim: Claim, score: float, phrases: list[str]) -> ExtractedInsight:
    terms = stem_set(claim.text)
    topics = [p for p in phrases if set(stems(p)) <= terms][:4]
    if not topics:
        topics = keyphrases([claim.text, claim.text], limit=2)
    return ExtractedInsight(
        text=claim.text,
        quote=claim.quote,
        speaker=claim.speaker,
        start=round(claim.start, 3),
        end=round(claim.end, 3),
        topics=topics,
        score=round(max(0.0, min(1.0, score)), 4),
    )


def store_extraction(session: Session, episode: Episode, extraction: Extraction) -> None:
    """Replace the episode's insights and summary; idempotent when an episode is reprocessed.

    Insights already delivered or rated stay (the ledger and feedback point at them); a new
    insight with the same text as one of those is not stored twice.
    """
    kept = _referenced_insights(session, episode.id)
    session.exec(
        delete(Insight).where(Insight.episode_id == episode.id, Insight.id.not_in(kept.keys()))
    )
    for item in extraction.insights:
        if item.text in kept.values():
            continue
        session.add(
            Insight(
                episode_id=episode.id,
                text=item.text,
                quote=item.quote,
                speaker=item.speaker,
                start=item.start,
                end=item.end,
                topics=list(item.topics),
                score=item.score,
                engine=extraction.engine,
            )
        )
    _store_summary(session, episode, extraction)
    session.flush()


def _referenced_insights(session: Session, episode_id: int) -> dict[int, str]:
    delivered = select(DeliveryItem.insight_id)
    rated = select(Feedback.insight_id)
    query = select(Insight.id, Insight.text).where(
        Insight.episode_id == episode_id,
        or_(Insight.id.in_(delivered), Insight.id.in_(rated)),
    )
    return {row[0]: row[1] for row in session.exec(query)}


def _store_summary(session: Session, episode: Episode, extraction: Extraction) -> None:
    summary = extraction.summary
    row = session.get(EpisodeSummary, episode.id) or EpisodeSummary(
        episode_id=episode.id, summary=""
    )
    row.summary = summary.summary
    row.key_points = [{"text": p.text, "start": p.start} for p in summary.key_points]
    row.guests = list(summary.guests)
    row.topics = list(summary.topics)
    row.engine = extraction.engine
    session.add(row)
