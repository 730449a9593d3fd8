"""SQLModel tables. Datetimes are timezone-aware UTC (SQLModel's UTCDateTime enforces it)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.core.clock import utcnow


def _json(default: Any = None) -> Any:
    return Field(
        default_factory=lambda: default() if callable(default) else default,
        sa_column=Column(JSON, nullable=True),
    )


class Podcast(SQLModel, table=True):
    """A followed feed and its polling state."""

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(index=True, unique=True)
    title: str = ""
    author: str = ""
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    link: str = ""
    image_url: str = ""
    language: str = ""
    status: str = "active"  # active | failing | gone | removed (health: bot/feeds/health.py)
    # the bundled sample this feed serves in `podbrief demo` (None for real feeds): the demo
    # reuses its rows on a rerun and the scheduler never polls them
    demo_sample: str | None = Field(default=None, index=True)
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None  # of the last body parsed: the same bytes again skip parsing
    categories: list[str] = _json(list)  # itunes:category / podcast:category, for topic matching
    last_polled_at: datetime | None = None
    last_success_at: datetime | None = None
    last_full_fetch_at: datetime | None = None
    next_poll_at: datetime | None = Field(default=None, index=True)
    poll_interval_minutes: int | None = None
    failure_count: int = 0
    last_error: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Episode(SQLModel, table=True):
    """One feed item (or an imported transcript) and its processing state."""

    __table_args__ = (UniqueConstraint("podcast_id", "identity"),)

    id: int | None = Field(default=None, primary_key=True)
    podcast_id: int = Field(foreign_key="podcast.id", index=True)
    identity: str  # "guid:…" | "enclosure:…" | "title:…|date"
    guid: str | None = None
    title: str = ""
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    link: str = ""  # episode page
    audio_url: str = ""
    audio_type: str = ""
    duration_s: float | None = None
    published_at: datetime | None = Field(default=None, index=True)
    transcripts: list[dict] = _json(list)  # [{"url","type","language","rel"}]
    chapters_url: str | None = None
    chapters: list[dict] = _json(list)  # [{"start": s, "title": t}]
    persons: list[dict] = _json(list)  # [{"name","role","href","img"}]
    # new: back catalogue, not queued | pending | processing | done | failed (retrying) | dead
    # | skipped (policy/budget) | transcribing (waiting for the AssemblyAI webhook)
    status: str = Field(default="new", index=True)
    status_reason: str | None = None
    attempts: int = 0
    next_attempt_at: datetime | None = None
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    transcript_source: str | None = None  # publisher | assemblyai | import
    transcript_format: str | None = None
    assemblyai_id: str | None = None
    language: str | None = None
    processed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class TranscriptSegment(SQLModel, table=True):
    """One transcript segment: what was said, by whom, when (seconds from start)."""

    __tablename__ = "segment"
    id: int | None = Field(default=None, primary_key=True)
    episode_id: int = Field(foreign_key="episode.id", index=True)
    idx: int
    start: float
    end: float
    speaker: str | None = None
    text: str = Field(sa_column=Column(Text, nullable=False))


class Chunk(SQLModel, table=True):
    """A retrievable passage: ~300 words of transcript, or an insight / summary text."""

    id: int | None = Field(default=None, primary_key=True)
    episode_id: int = Field(foreign_key="episode.id", index=True)
    kind: str = "transcript"  # transcript | summary | insight
    idx: int = 0
    start: float = 0.0
    end: float = 0.0
    speakers: list[str] = _json(list)
    text: str = Field(sa_column=Column(Text, nullable=False))
    embedding: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class Insight(SQLModel, table=True):
    """A claim worth a busy reader's minute, grounded in a verbatim quote."""

    id: int | None = Field(default=None, primary_key=True)
    episode_id: int = Field(foreign_key="episode.id", index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    quote: str = Field(sa_column=Column(Text, nullable=False))
    speaker: str | None = None
    start: float = 0.0
    end: float = 0.0
    topics: list[str] = _json(list)
    score: float = 0.0
    engine: str = "extractive"  # extractive | llm
    embedding: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, index=True)


class EpisodeSummary(SQLModel, table=True):
    """What an episode covers: paragraph, key points with times, guests, topics."""

    __tablename__ = "episode_summary"
    episode_id: int = Field(foreign_key="episode.id", primary_key=True)
    summary: str = Field(sa_column=Column(Text, nullable=False))
    key_points: list[dict] = _json(list)  # [{"text", "start"}]
    guests: list[str] = _json(list)
    topics: list[str] = _json(list)
    engine: str = "extractive"
    created_at: datetime = Field(default_factory=utcnow)


class Channel(SQLModel, table=True):
    """A place briefs go: a Slack/Discord channel, a user's DM, or the console."""

    __table_args__ = (UniqueConstraint("platform", "team_id", "channel_ref", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str  # slack | discord | console
    team_id: str = ""  # Slack team / Discord guild ("" for DMs and console)
    channel_ref: str  # platform channel id
    user_id: str = ""  # set for personal (DM) briefs
    name: str = ""
    brief_time: str = "08:00"
    timezone: str = "UTC"
    weekdays_only: bool = False
    brief_size: int = 5
    status: str = "active"  # active | gone
    status_reason: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Subscription(SQLModel, table=True):
    """A channel following a topic or a podcast."""

    __table_args__ = (
        UniqueConstraint("channel_id", "topic"),
        UniqueConstraint("channel_id", "podcast_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channel.id", index=True)
    topic: str | None = None
    podcast_id: int | None = Field(default=None, foreign_key="podcast.id")
    created_by: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class Delivery(SQLModel, table=True):
    """The ledger row that makes one brief per channel per local date."""

    __table_args__ = (UniqueConstraint("channel_id", "local_date"),)

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channel.id", index=True)
    local_date: date
    status: str = "claimed"  # claimed | sent | empty | failed | skipped
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    message_ref: str | None = None
    attempts: int = 0
    error: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class DeliveryItem(SQLModel, table=True):
    """An insight as delivered in a brief (novelty, feedback and thread follow-ups use it)."""

    __tablename__ = "delivery_item"
    __table_args__ = (UniqueConstraint("channel_id", "insight_id"),)

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="delivery.id", index=True)
    channel_id: int = Field(foreign_key="channel.id", index=True)
    insight_id: int = Field(foreign_key="insight.id")
    rank: int


class Feedback(SQLModel, table=True):
    """👍 (+1) or 👎 (-1) on a delivered insight; tunes the channel's topic and show weights."""

    __table_args__ = (UniqueConstraint("channel_id", "insight_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channel.id", index=True)
    insight_id: int = Field(foreign_key="insight.id")
    user_id: str = ""
    value: int
    created_at: datetime = Field(default_factory=utcnow)


class Usage(SQLModel, table=True):
    """One paid call: tokens, audio seconds and estimated cost."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    service: str  # openai | assemblyai
    operation: str  # insights | answer | embed | transcribe
    model: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    audio_seconds: float = 0.0
    cost_usd: float = 0.0
    episode_id: int | None = None


Index("ix_insight_episode_start", Insight.episode_id, Insight.start)
