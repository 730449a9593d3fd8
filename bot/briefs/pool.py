"""The insight pool: every stored insight with what ranking needs, loaded once and cached."""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.briefs.words import Words, read_words
from bot.core.models import Episode, Insight, Podcast
from bot.core.moments import moment_url
from bot.core.urlsafety import shown_name
from bot.text.keyphrases import stem_set

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PoolInsight:
    """One insight with its episode and show, ready for ranking."""

    id: int
    episode_id: int
    podcast_id: int
    podcast: str
    episode: str
    audio_url: str
    link: str
    at: datetime  # episode publication (or, failing that, when the insight was stored)
    text: str
    quote: str
    speaker: str | None
    start: float
    topics: tuple[str, ...]
    score: float
    engine: str
    doc: frozenset[str]  # stems of text and topics
    embedding: np.ndarray | None
    words: Words = field(default_factory=lambda: Words((), frozenset()))  # text and topics
    dated: bool = True  # False when the episode has no publication date

    @property
    def url(self) -> str:
        """The audio at ``start`` (``#t=`` media fragment), else the episode page."""
        return moment_url(self.audio_url, self.link, self.start)


@dataclass
class InsightPool:
    """All insights plus an inverted index from stem to insight positions."""

    items: list[PoolInsight]
    postings: dict[str, list[int]]
    by_id: dict[int, int]
    related: dict[int, list[PoolInsight]] = field(default_factory=dict)  # ranking's cache
    word_postings: dict[str, list[int]] = field(default_factory=dict)  # Words.keys → positions
    by_episode: dict[int, list[int]] = field(default_factory=dict)
    matches: dict[tuple, dict] = field(default_factory=dict)  # topic terms → text relevance
    stamp: tuple = ()  # insights_stamp when loaded

    def __post_init__(self) -> None:
        for number, item in enumerate(self.items):
            self.by_episode.setdefault(item.episode_id, []).append(number)
            for key in item.words.keys:
                self.word_postings.setdefault(key, []).append(number)

    def word_df(self, key: str) -> int:
        """How many insights hold ``key`` (a word, proper form or pair)."""
        return len(self.word_postings.get(key, ()))

    def with_term(self, term: str) -> list[int]:
        """Positions of insights holding ``term`` (all stems of a multi-word term)."""
        parts = term.split()
        hits = self.postings.get(parts[0], [])
        if len(parts) == 1:
            return hits
        return [n for n in hits if all(p in self.items[n].doc for p in parts[1:])]


# why: 1,000 channels share one load per change of the pool; keyed by engine (not URL, since
# PostgreSQL schemas share one URL) and dropped with it.
_POOLS: weakref.WeakKeyDictionary[Engine, tuple[tuple, InsightPool]] = weakref.WeakKeyDictionary()


def insights_stamp(session: Session) -> tuple:
    """Changes whenever insights are added, removed or embedded, or their episode or show edited."""
    # why: a re-poll edits an episode's title, audio URL or date in place (bumping updated_at);
    # only episodes with insights count, so the pipeline working on others never forces a rebuild.
    with_insights = Episode.id.in_(select(Insight.episode_id))  # type: ignore[union-attr]
    counts = select(  # one round trip: every brief checks this stamp
        select(func.count(Insight.id)).scalar_subquery(),
        select(func.max(Insight.id)).scalar_subquery(),
        select(func.count(Insight.embedding)).scalar_subquery(),
        select(func.max(Episode.updated_at)).where(with_insights).scalar_subquery(),
    )
    # why: the show names themselves, not Podcast.updated_at, which every poll bumps.
    names = select(Podcast.id, Podcast.title, Podcast.url).order_by(Podcast.id)
    return (
        *session.exec(counts).one(),
        tuple(tuple(row) for row in session.exec(names).all()),
    )


def load_pool(session: Session) -> InsightPool:
    """The pool for the session's database, rebuilt only when its stamp changes."""
    engine, stamp = session.get_bind(), insights_stamp(session)
    cached = _POOLS.get(engine)
    if cached is None or cached[0] != stamp:
        cached = (stamp, build_pool(session))
        cached[1].stamp = stamp
        _POOLS[engine] = cached
    return cached[1]


def build_pool(session: Session) -> InsightPool:
    """Read every insight with its episode and podcast."""
    # why: plain columns, not ORM entities: hydrating 3 objects per insight (and decoding
    # every JSON column of episodes and shows) was most of the load
    query = (
        select(*_INSIGHT_COLUMNS, *_EPISODE_COLUMNS, *_PODCAST_COLUMNS)
        .join(Episode, Episode.id == Insight.episode_id)
        .join(Podcast, Podcast.id == Episode.podcast_id)
        .order_by(Insight.id)
    )
    items = [_pool_insight(row) for row in session.exec(query)]
    postings: dict[str, list[int]] = {}
    for number, item in enumerate(items):
        for term in item.doc:
            postings.setdefault(term, []).append(number)
    return InsightPool(items, postings, {item.id: n for n, item in enumerate(items)})


_INSIGHT_COLUMNS = (
    Insight.id,
    Insight.text,
    Insight.quote,
    Insight.speaker,
    Insight.start,
    Insight.topics,
    Insight.score,
    Insight.engine,
    Insight.embedding,
    Insight.created_at,
)
_EPISODE_COLUMNS = (
    Episode.id,
    Episode.title,
    Episode.audio_url,
    Episode.link,
    Episode.published_at,
)
_PODCAST_COLUMNS = (Podcast.id, Podcast.title, Podcast.url)


def _pool_insight(row: tuple) -> PoolInsight:
    (iid, text, quote, speaker, start, topics, score, engine, embedding, created_at) = row[:10]
    episode_id, title, audio_url, link, published_at, podcast_id, show, url = row[10:]
    topics = tuple(topics or [])
    return PoolInsight(
        id=iid,
        episode_id=episode_id,
        podcast_id=podcast_id,
        podcast=shown_name(show, url),
        episode=title,
        audio_url=audio_url,
        link=link,
        at=_aware(published_at or created_at),
        text=text,
        quote=quote,
        speaker=speaker,
        start=start,
        topics=topics,
        score=score,
        engine=engine,
        doc=stem_set(text + " " + " ".join(topics)),
        embedding=np.frombuffer(embedding, dtype=np.float32) if embedding else None,
        words=_words(text, topics),
        dated=published_at is not None,
    )


def _words(text: str, topics: tuple[str, ...]) -> Words:
    said, filed = read_words(text), read_words(" · ".join(topics), title=True)
    return Words((*said.tokens, "·", *filed.tokens), said.proper | filed.proper)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Set cosine of two stem sets: 1 for the same words, 0 for none shared."""
    if not a or not b:
        return 0.0
    return len(a & b) / (len(a) * len(b)) ** 0.5
