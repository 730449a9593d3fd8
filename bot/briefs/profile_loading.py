"""Loading episode profiles from the database: fields, summaries, insights, passages."""

from __future__ import annotations

import weakref

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.briefs.profiles import EpisodeProfile, ProfileIndex
from bot.briefs.words import Words, read_words
from bot.core.models import Chunk, Episode, EpisodeSummary, Insight, Podcast

# why: building profiles tokenises every transcript passage; cached per engine and rebuilt
# only when passages, summaries or episodes change (one build serves every channel of a run).
_INDEXES: weakref.WeakKeyDictionary[Engine, tuple[tuple, ProfileIndex]] = (
    weakref.WeakKeyDictionary()
)


def load_profiles(
    session: Session,
    episode_ids: frozenset[int],
    categories: dict[int, list[str]] | None = None,
    *,
    stamp: tuple | None = None,
) -> ProfileIndex:
    """The profile index of ``episode_ids`` (cached until chunks, summaries or episodes change).

    ``categories`` (podcast id → feed categories) add ``itunes:category`` / ``podcast:category``;
    ``stamp`` is the insight pool's (``bot.briefs.pool.insights_stamp``) when the caller has it.
    """
    engine = session.get_bind()
    content = _content_stamp(session, stamp)
    stamp = (episode_ids, content, tuple(sorted((categories or {}).items())))
    cached = _INDEXES.get(engine)
    if cached is None or cached[0] != stamp:
        cached = (stamp, build_profiles(session, episode_ids, categories or {}))
        _INDEXES[engine] = cached
    return cached[1]


def _content_stamp(session: Session, pool_stamp: tuple | None) -> tuple:
    """Changes with transcript passages and summaries (one query) and with the insights."""
    counts = select(
        select(func.count(Chunk.id)).scalar_subquery(),
        select(func.max(Chunk.id)).scalar_subquery(),
        select(func.count(EpisodeSummary.episode_id)).scalar_subquery(),
        select(func.max(EpisodeSummary.created_at)).scalar_subquery(),
    )
    if pool_stamp is None:
        insights = select(
            func.count(Insight.id), func.max(Insight.id), func.max(Episode.updated_at)
        )
        pool_stamp = tuple(session.exec(insights).one())
    return (*session.exec(counts).one(), pool_stamp)


def build_profiles(
    session: Session, episode_ids: frozenset[int], categories: dict[int, list[str]]
) -> ProfileIndex:
    """Read the episodes, their shows, summaries and transcript passages into profiles."""
    if not episode_ids:
        return ProfileIndex({})
    ids = sorted(episode_ids)
    rows = session.exec(
        select(Episode, Podcast)
        .join(Podcast, col(Podcast.id) == col(Episode.podcast_id))
        .where(col(Episode.id).in_(ids))
    ).all()
    summaries = {
        s.episode_id: s
        for s in session.exec(select(EpisodeSummary).where(col(EpisodeSummary.episode_id).in_(ids)))
    }
    passages: dict[int, list[Words]] = {}
    speakers: dict[int, set[str]] = {}
    query = (
        select(Chunk.episode_id, Chunk.text, Chunk.speakers)
        .where(col(Chunk.episode_id).in_(ids), Chunk.kind == "transcript")
        .order_by(Chunk.episode_id, Chunk.idx)
    )
    for episode_id, text, names in session.exec(query):
        passages.setdefault(episode_id, []).append(read_words(text))
        speakers.setdefault(episode_id, set()).update(
            w for name in names or [] for w in read_words(name, title=True).tokens
        )
    said: dict[int, list[str]] = {}
    for episode_id, text, topics in session.exec(
        select(Insight.episode_id, Insight.text, Insight.topics).where(
            col(Insight.episode_id).in_(ids)
        )
    ):
        said.setdefault(episode_id, []).append(" · ".join([text, *(topics or [])]))
    profiles = {
        episode.id: EpisodeProfile(
            episode.id,
            podcast.id,
            episode_fields(
                episode,
                podcast,
                summaries.get(episode.id),
                categories.get(podcast.id),
                # why: with no transcript, its insights are the best word on what it covers
                [] if episode.id in passages else said.get(episode.id, []),
            ),
            passages.get(episode.id, []),
            frozenset(speakers.get(episode.id, ())),
        )
        for episode, podcast in rows
    }
    return ProfileIndex(profiles)


def episode_fields(
    episode: Episode,
    podcast: Podcast,
    summary: EpisodeSummary | None,
    categories: list[str] | None = None,
    insights: list[str] | None = None,
) -> dict[str, Words]:
    """The words of each metadata field of an episode (empty fields left out)."""
    texts = {
        "title": (episode.title, True),
        "show": (podcast.title, True),
        "categories": (" · ".join(categories or []), True),
        "description": (f"{episode.description} {podcast.description}", False),
        "chapters": (" · ".join(str(c.get("title", "")) for c in episode.chapters or []), True),
    }
    if summary is not None:
        points = " ".join(str(p.get("text", "")) for p in summary.key_points or [])
        texts["summary"] = (f"{summary.summary} {points}", False)
        texts["topics"] = (" · ".join(summary.topics or []), True)
    if insights:
        texts["insights"] = (" ¶ ".join(insights), False)
    fields = {name: read_words(text, title=title) for name, (text, title) in texts.items()}
    return {name: words for name, words in fields.items() if words.tokens}
