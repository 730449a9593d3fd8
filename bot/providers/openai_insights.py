"""The LLM insight engine: analyst-written insights, each proven by a quote in the transcript.

One call when the transcript fits LLM_CONTEXT_TOKENS; otherwise map (each section) and reduce
(the summaries). Nothing is silently truncated. Ungrounded insights, and sponsor reads, intros
and questions the model picked despite the prompt, are dropped and counted.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

from bot.core.config import Settings
from bot.core.ports import EpisodeContext, ExtractedInsight, ExtractedSummary, Extraction, KeyPoint
from bot.core.values import Segment
from bot.insights.faults import INTRO_RE, SPONSOR_RE
from bot.providers.grounding import TranscriptIndex, normalise
from bot.providers.openai_client import JsonModel, estimate_tokens
from bot.providers.openai_prompts import (
    INSIGHTS_SYSTEM,
    REDUCE_SYSTEM,
    ExtractionOut,
    InsightOut,
    SummaryOut,
    insights_prompt,
    neutralise,
    parse_clock,
    transcript_lines,
)
from bot.providers.output_safety import safe_text
from bot.text.wording import same_words

log = logging.getLogger(__name__)

# Room for the system prompt, the episode header and the chat wrapping around the transcript.
_PROMPT_OVERHEAD_TOKENS = 1_500
_MIN_CLAIM_CHARS = 20


class LLMInsightEngine:
    """``bot.core.ports.InsightEngine`` over any OpenAI-compatible chat model."""

    name = "llm"

    def __init__(self, settings: Settings, model: JsonModel) -> None:
        self.settings = settings
        self.model = model

    def extract(self, episode: EpisodeContext, segments: Sequence[Segment]) -> Extraction:
        """Insights and a summary for one episode (raises ``ServiceUnavailable`` when down)."""
        if not segments:
            return Extraction([], ExtractedSummary("", [], [], []), engine=self.name)
        lines = transcript_lines(segments)
        sections = self.sections(lines)
        header = episode_header(episode)
        wanted = self.settings.insights_per_episode
        if len(sections) == 1:
            out = self._ask_extraction(header, lines, wanted, "", episode.episode_id)
            raw_insights, summary = out.insights, out.summary
        else:
            log.info("episode %s: %d sections (map-reduce)", episode.episode_id, len(sections))
            raw_insights, summary = self._map_reduce(header, sections, wanted, episode.episode_id)
        insights, rejected = ground(raw_insights, TranscriptIndex(segments), wanted)
        if rejected:
            log.info("episode %s: %d ungrounded insight(s) dropped", episode.episode_id, rejected)
        end = segments[-1].end
        return Extraction(insights, to_summary(summary, end), engine=self.name, rejected=rejected)

    def sections(self, lines: Sequence[str]) -> list[list[str]]:
        """``lines`` in consecutive groups that each fit the model's context window."""
        budget = max(
            1_000,
            self.settings.llm_context_tokens
            - self.settings.openai_output_tokens
            - _PROMPT_OVERHEAD_TOKENS,
        )
        sections: list[list[str]] = [[]]
        used = 0
        for line in lines:
            cost = estimate_tokens(line) + 1
            if sections[-1] and used + cost > budget:
                sections.append([])
                used = 0
            sections[-1].append(line)
            used += cost
        return sections

    def _ask_extraction(
        self, header: str, lines: Sequence[str], wanted: int, part: str, episode_id: int
    ) -> ExtractionOut:
        prompt = insights_prompt(header, lines, wanted, part)
        return self.model.ask(
            ExtractionOut, INSIGHTS_SYSTEM, prompt, operation="insights", episode_id=episode_id
        )

    def _map_reduce(
        self, header: str, sections: list[list[str]], wanted: int, episode_id: int
    ) -> tuple[list[InsightOut], SummaryOut]:
        per_section = max(2, math.ceil(wanted / len(sections)) + 1)
        insights: list[InsightOut] = []
        parts: list[str] = []
        for number, lines in enumerate(sections, start=1):
            part = f"part {number} of {len(sections)}"
            out = self._ask_extraction(header, lines, per_section, part, episode_id)
            insights += out.insights
            parts.append(describe_part(part, lines, out.summary))
        prompt = f"{header}\n<transcript>\n" + "\n\n".join(parts) + "\n</transcript>"
        summary = self.model.ask(
            SummaryOut, REDUCE_SYSTEM, prompt, operation="insights", episode_id=episode_id
        )
        return insights, summary


def episode_header(episode: EpisodeContext) -> str:
    """What the model is told about the episode besides its transcript."""
    people = ", ".join(f"{p.get('name')} ({p.get('role', 'guest')})" for p in episode.persons)
    header = f"Podcast: {neutralise(episode.podcast)}\nEpisode: {neutralise(episode.title)}"
    return header + (f"\nPeople: {neutralise(people)}" if people else "")


def describe_part(part: str, lines: Sequence[str], summary: SummaryOut) -> str:
    """A section's summary as input to the reduce step (itself model output: neutralised)."""
    points = "\n".join(f"[{p.at}] {neutralise(p.text)}" for p in summary.key_points)
    span = f"{lines[0].split(']', 1)[0]}] to {lines[-1].split(']', 1)[0]}]"
    return f"{part.capitalize()} ({span}):\n{neutralise(summary.summary)}\n{points}"


def ground(
    raw: Sequence[InsightOut], index: TranscriptIndex, limit: int
) -> tuple[list[ExtractedInsight], int]:
    """Insights whose quotes are in the transcript (best first, no duplicate quotes)."""
    kept: dict[str, ExtractedInsight] = {}
    rejected = 0
    for item in raw:
        match = index.locate(item.quote)
        claim = safe_text(item.claim)
        if match is None or len(claim) < _MIN_CLAIM_CHARS or not_an_insight(claim, item.quote):
            rejected += 1
            continue
        key = normalise(item.quote)
        insight = ExtractedInsight(
            text=claim,
            quote=safe_text(" ".join(item.quote.split())),
            speaker=match.speaker or (safe_text(item.speaker or "")[:80] or None),
            start=match.start,
            end=match.end,
            topics=clean_labels(item.topics, 3),
            score=min(max(float(item.importance), 0.0), 1.0),
        )
        if key not in kept or kept[key].score < insight.score:
            kept[key] = insight
    best = sorted(kept.values(), key=lambda i: -i.score)
    return best[:limit], rejected


def not_an_insight(claim: str, quote: str) -> bool:
    """A sponsor read, intro/outro or question: never worth a reader's minute (QUALITY.md)."""
    said = f"{claim} {quote}"
    return bool(SPONSOR_RE.search(said) or INTRO_RE.search(said)) or claim.endswith("?")


def to_summary(out: SummaryOut, episode_end: float) -> ExtractedSummary:
    """The engine-neutral summary, times clamped to the episode."""
    points = []
    for point in out.key_points:
        seconds = parse_clock(point.at)
        text = safe_text(point.text)
        if text and not any(same_words(text, p.text) for p in points):  # no repeated points
            points.append(KeyPoint(text, min(max(seconds or 0.0, 0.0), episode_end)))
    return ExtractedSummary(
        summary=safe_text(out.summary),
        key_points=points,
        guests=clean_labels(out.guests, 8, lower=False),
        topics=clean_labels(out.topics, 6),
    )


def clean_labels(labels: Sequence[str], limit: int, *, lower: bool = True) -> list[str]:
    """Short, safe, distinct labels."""
    seen: list[str] = []
    for label in labels:
        text = safe_text(label)[:60]
        text = text.lower() if lower else text
        if text and text not in seen:
            seen.append(text)
    return seen[:limit]
