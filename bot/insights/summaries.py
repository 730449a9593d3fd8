"""Episode summaries: the extractive summary and reading a stored one back."""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field

from sqlmodel import Session

from bot.core.errors import NotFound
from bot.core.models import Episode, EpisodeSummary, Podcast
from bot.core.ports import EpisodeContext, ExtractedInsight, ExtractedSummary, KeyPoint
from bot.text.sentences import Sentence

log = logging.getLogger(__name__)

MAX_KEY_POINTS = 6
GENERIC_SPEAKER_RE = re.compile(r"^(?:speaker|spk|person|voice|unknown|guest|host)\b|^\d+$", re.I)


@dataclass(frozen=True)
class SummaryView:
    """A stored episode summary as shown by `podbrief summary` and the chat command."""

    episode_id: int
    title: str
    podcast: str
    summary: str
    key_points: list[dict] = field(default_factory=list)  # [{"text", "start"}]
    guests: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    url: str = ""

    def to_json(self) -> dict:
        """The CLI contract shape (DESIGN.md)."""
        return {
            "episode_id": self.episode_id,
            "title": self.title,
            "podcast": self.podcast,
            "summary": self.summary,
            "key_points": [dict(p) for p in self.key_points],
            "guests": list(self.guests),
            "topics": list(self.topics),
            "url": self.url,
        }


def get_summary(session: Session, episode_id: int) -> SummaryView:
    """The stored summary of ``episode_id``; NotFound when unknown or not processed yet."""
    episode = session.get(Episode, episode_id)
    if episode is None:
        raise NotFound(f"No episode with id {episode_id}.")
    row = session.get(EpisodeSummary, episode_id)
    if row is None:
        raise NotFound(f'Episode {episode_id} ("{episode.title}") has no summary yet.')
    podcast = session.get(Podcast, episode.podcast_id)
    return SummaryView(
        episode_id=episode_id,
        title=episode.title,
        podcast=podcast.title if podcast else "",
        summary=row.summary,
        key_points=[{"text": p["text"], "start": float(p["start"])} for p in row.key_points or []],
        guests=list(row.guests or []),
        topics=list(row.topics or []),
        url=episode.link or episode.audio_url,
    )


def extractive_summary(
    episode: EpisodeContext,
    sentences: list[Sentence],
    phrases: list[str],
    insights: list[ExtractedInsight],
) -> ExtractedSummary:
    """What the episode covers: topics, guests, key points (chapters when the feed has them)."""
    topics = phrases[:6]
    guests = episode_guests(episode, sentences)
    key_points = _key_points(episode, insights)
    return ExtractedSummary(
        summary=_paragraph(episode, topics, guests, insights, sentences),
        key_points=key_points,
        guests=guests,
        topics=topics,
    )


def episode_guests(episode: EpisodeContext, sentences: list[Sentence]) -> list[str]:
    """Guests from podcast:person tags, else named speakers other than the main voice."""
    named = [p["name"] for p in episode.persons if p.get("name") and p.get("role") == "guest"]
    if named:
        return named
    talk: Counter[str] = Counter()
    for sentence in sentences:
        if sentence.speaker and not GENERIC_SPEAKER_RE.match(sentence.speaker):
            talk[sentence.speaker] += len(sentence.text)
    hosts = {p["name"] for p in episode.persons if p.get("role") == "host"}
    first = next((s.speaker for s in sentences if s.speaker in talk), None)
    if not hosts and first:
        hosts = {first}  # hosts open the show
    return [name for name, _ in talk.most_common() if name not in hosts][:5]


def _key_points(episode: EpisodeContext, insights: list[ExtractedInsight]) -> list[KeyPoint]:
    chapters = [
        KeyPoint(text=str(c["title"]).strip(), start=float(c.get("start") or 0.0))
        for c in episode.chapters
        if str(c.get("title") or "").strip()
    ]
    if chapters:
        return chapters[: MAX_KEY_POINTS * 2]
    best = sorted(insights, key=lambda i: -i.score)[:MAX_KEY_POINTS]
    return [KeyPoint(text=i.text, start=i.start) for i in sorted(best, key=lambda i: i.start)]


def _paragraph(
    episode: EpisodeContext,
    topics: list[str],
    guests: list[str],
    insights: list[ExtractedInsight],
    sentences: list[Sentence],
) -> str:
    if not sentences:
        return f'"{episode.title}" has no transcript text to summarise.'
    parts = [f'"{episode.title}"' + (f" ({episode.podcast})" if episode.podcast else "")]
    parts[0] += f" covers {_join(topics[:4])}." if topics else "."
    if guests:
        parts.append(f"With {_join(guests)}.")
    central = sorted(insights, key=lambda i: -i.score)[:2]
    parts += [i.text for i in sorted(central, key=lambda i: i.start)]
    return " ".join(parts)


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
