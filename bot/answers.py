"""Answers to questions, built from retrieved passages, with timestamped citations."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date


@dataclass(frozen=True)
class Citation:
    podcast: str
    episode: str
    episode_id: int
    start: float
    end: float
    text: str
    url: str  # audio_url#t=SECONDS, or the episode page


@dataclass(frozen=True)
class Passage(Citation):
    score: float = 0.0
    kind: str = "transcript"  # transcript | summary | insight


@dataclass(frozen=True)
class AskScope:
    podcast: str | None = None
    episode_id: int | None = None
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class Answer:
    answer: str
    citations: list[Citation]
    passages: list[Passage] = field(default_factory=list)
    engine: str = "extractive"

    def to_json(self) -> dict:
        """The CLI contract shape (DESIGN.md)."""
        return {
            "answer": self.answer,
            "citations": [asdict(c) for c in self.citations],
            "passages": [asdict(p) for p in self.passages],
        }
