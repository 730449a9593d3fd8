"""Value types that cross stages: what was said (Segment), what was found (Passage,
Answer) and what is posted (Brief). Plain frozen dataclasses, no behaviour beyond JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Segment:
    """What was said, by whom, when (seconds from the start of the episode)."""

    start: float
    end: float
    speaker: str | None
    text: str


# --- passages and answers ------------------------------------------------------------------


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
    podcast_ids: frozenset[int] | None = None  # the podcasts the asker may see (None: all)


@dataclass(frozen=True)
class Answer:
    answer: str
    citations: list[Citation]
    passages: list[Passage] = field(default_factory=list)
    engine: str = "extractive"
    answered: bool = True  # False: the shows don't cover the question (citations: the nearest)
    support: float = 1.0  # 0–1: how much of the question's specific content the passages hold

    def to_json(self) -> dict:
        """The CLI contract shape (DESIGN.md)."""
        return {
            "answer": self.answer,
            "answered": self.answered,
            "support": round(self.support, 3),
            "citations": [asdict(c) for c in self.citations],
            "passages": [asdict(p) for p in self.passages],
            "engine": self.engine,
        }


# --- briefs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RelatedInsight:
    """The same idea said elsewhere ("Also said on …")."""

    text: str
    podcast: str
    episode: str
    episode_id: int
    start: float
    url: str
    stance: str = ""  # how it relates to the item: "agrees", "disagrees" or "adds"
    speaker: str | None = None


@dataclass(frozen=True)
class BriefItem:
    rank: int
    insight_id: int
    text: str
    quote: str
    speaker: str | None
    podcast: str
    episode: str
    episode_id: int
    start: float
    url: str  # opens the audio (or the episode page) at ``start``
    topics: list[str]
    score: float
    engine: str = "extractive"
    related: list[RelatedInsight] = field(default_factory=list)
    why: str = ""  # matched topic and scores, for the `why` command


@dataclass(frozen=True)
class Brief:
    """Today's top insights for one channel; ``items`` empty means nothing new."""

    date: date
    topics: list[str]
    items: list[BriefItem]
    empty_reason: str | None = None  # e.g. "Nothing new for your topics today."
    explanation: list[str] = field(default_factory=list)  # why others lost
    notes: list[str] = field(default_factory=list)  # topics with nothing new: what there is

    def to_json(self) -> dict:
        """The CLI contract shape (DESIGN.md): add fields freely, never rename or drop."""
        return {
            "date": self.date.isoformat(),
            "topics": list(self.topics),
            "items": [_item_json(item) for item in self.items],
            "empty_reason": self.empty_reason,
        }


def _item_json(item: BriefItem) -> dict:
    data = asdict(item)
    data.pop("why")
    return data
