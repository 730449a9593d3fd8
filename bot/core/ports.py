"""The ports: small protocols every external service and engine sits behind.

Tests swap in fakes; users swap in compatible services. Adapters implement these; the core
depends only on them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from bot.core.values import Segment

if TYPE_CHECKING:
    from datetime import datetime

    from bot.core.models import Channel
    from bot.core.values import Brief, Passage


# --- fetching -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchResult:
    """One HTTP fetch after redirects. ``content`` is empty for 304."""

    status: int
    url: str  # final URL after redirects
    content: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    permanent_url: str | None = None  # set when a 301/308 chain moved the resource


class Fetcher(Protocol):
    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
    ) -> FetchResult:
        """Fetch a public http(s) URL safely; raises UnsafeURL or FetchError."""
        ...


# --- insight engines ------------------------------------------------------------------------


@dataclass(frozen=True)
class EpisodeContext:
    """What an engine knows about an episode besides its segments."""

    episode_id: int
    podcast: str
    title: str
    description: str = ""
    chapters: list[dict] = field(default_factory=list)  # [{"start": s, "title": t}]
    persons: list[dict] = field(default_factory=list)  # [{"name", "role"}]
    duration_s: float | None = None
    # Speaker labels heard on many of the show's other episodes: its hosts and panelists.
    regulars: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ExtractedInsight:
    text: str  # the claim, 1–3 sentences, 80–400 characters
    quote: str  # verbatim from the transcript
    speaker: str | None
    start: float
    end: float
    topics: list[str]
    score: float


@dataclass(frozen=True)
class KeyPoint:
    text: str
    start: float


@dataclass(frozen=True)
class ExtractedSummary:
    summary: str
    key_points: list[KeyPoint]
    guests: list[str]
    topics: list[str]


@dataclass(frozen=True)
class Extraction:
    insights: list[ExtractedInsight]
    summary: ExtractedSummary
    engine: str  # extractive | llm
    rejected: int = 0  # ungrounded or off-rubric (sponsor, intro, question) insights dropped


class InsightEngine(Protocol):
    name: str

    def extract(self, episode: EpisodeContext, segments: Sequence[Segment]) -> Extraction:
        """Insights and a summary for one episode."""
        ...


# --- transcription --------------------------------------------------------------------------


@dataclass(frozen=True)
class Transcription:
    segments: list[Segment]
    language: str | None
    audio_seconds: float


class Transcriber(Protocol):
    def transcribe(
        self,
        audio_url: str,
        *,
        job_id: str | None = None,
        on_submitted: Callable[[str], None] | None = None,
    ) -> Transcription:
        """Transcribe from a URL; resume ``job_id`` instead of submitting again when given.

        ``on_submitted(job_id)`` is called right after submission so the caller can persist it.
        """
        ...


# --- answers and embeddings -----------------------------------------------------------------


@dataclass(frozen=True)
class WrittenAnswer:
    text: str  # with [1], [2] markers referring to passages (1-based)
    cited: list[int]  # 1-based passage numbers actually cited
    found: bool = True  # False: the passages do not contain the answer


class AnswerWriter(Protocol):
    def write_answer(self, question: str, passages: Sequence[Passage]) -> WrittenAnswer:
        """An answer written only from ``passages``."""
        ...


class Embedder(Protocol):
    dim: int

    def embed(self, texts: Sequence[str]) -> Any:
        """A float32 numpy array of shape (len(texts), dim), L2-normalised."""
        ...


# --- publishing -----------------------------------------------------------------------------


class Publisher(Protocol):
    platform: str  # slack | discord | console

    def send_brief(self, channel: Channel, brief: Brief, *, delivery_id: int) -> str:
        """Post the brief; returns the platform's message id. Tags the post with delivery_id."""
        ...

    def find_sent(
        self, channel: Channel, *, delivery_id: int, since: datetime | None = None
    ) -> str | None:
        """The message id of a post already tagged with ``delivery_id``, if any, looking back
        through the whole history since ``since`` (when the delivery was first claimed).

        Raises HistoryUnavailable when the history cannot be read (no None on a blind guess).
        """
        ...
