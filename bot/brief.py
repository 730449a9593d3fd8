"""The Brief value objects and their composition for a channel and local date."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date


@dataclass(frozen=True)
class RelatedInsight:
    """The same idea said elsewhere ("Also said on …")."""

    text: str
    podcast: str
    episode: str
    episode_id: int
    start: float
    url: str


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

    def to_json(self) -> dict:
        """The CLI contract shape (DESIGN.md): add fields freely, never rename or drop."""
        return {
            "date": self.date.isoformat(),
            "topics": list(self.topics),
            "items": [_item_json(item) for item in self.items],
        }


def _item_json(item: BriefItem) -> dict:
    data = asdict(item)
    data.pop("why")
    return data
