"""Retrieval: the passages that best answer a question, each pinned to its moment.

Full text runs in the database (FTS5 on SQLite, tsvector on PostgreSQL, both BM25-ranked);
with an embedder configured, vector similarity is fused in by reciprocal rank fusion.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import Row, func
from sqlmodel import Session, col, select

from bot.core.models import Chunk, Episode, EpisodeSummary, Podcast
from bot.core.moments import moment_url
from bot.core.ports import Embedder
from bot.core.values import AskScope, Passage
from bot.search.compounds import split_unseen
from bot.search.expansion import corpus_expansions
from bot.search.fulltext import rank_chunks, rank_placed
from bot.search.proximity import rerank_by_window, term_weights, window_candidates
from bot.search.questions import question_kind
from bot.search.rerank import rerank_with_context
from bot.search.rows import rows_by_ids
from bot.search.terms import QueryTerm, content_words, query_terms, stem
from bot.search.titles import title_episodes
from bot.search.vectors import rank_by_vector, reciprocal_rank_fusion

log = logging.getLogger(__name__)

CANDIDATES = 50  # ranked per retriever before fusion and cutting to ``limit``
KIND_POOL = 3  # candidates ranked per kept one when only some kinds are wanted
TITLED = 10  # extra candidates from the episodes whose title the question names
TITLE_BONUS = 0.3  # share of the best score a passage of such an episode gains


def scoped_episode_ids(session: Session, scope: AskScope) -> list[int] | None:
    """Episode ids inside ``scope``; None when the scope is everything."""
    if scope == AskScope():
        return None
    query = select(Episode.id).join(Podcast, col(Podcast.id) == col(Episode.podcast_id))
    if scope.podcast_ids is not None:  # a workspace sees only its own and public shows
        query = query.where(col(Podcast.id).in_(sorted(scope.podcast_ids)))
    if scope.episode_id is not None:
        query = query.where(Episode.id == scope.episode_id)
    if scope.podcast:
        name = scope.podcast.strip().lower()
        match = func.lower(Podcast.title).contains(name, autoescape=True)
        query = query.where(col(Podcast.id) == int(name) if name.isdigit() else match)
    if scope.since is not None:
        query = query.where(col(Episode.published_at) >= _midnight(scope.since))
    if scope.until is not None:
        query = query.where(col(Episode.published_at) < _midnight(scope.until) + timedelta(1))
    return list(session.exec(query).all())


def _midnight(day) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def search_passages(
    session: Session,
    query: str,
    *,
    scope: AskScope = AskScope(),
    limit: int = 10,
    embedder: Embedder | None = None,
    expansions: dict[str, float] | None = None,
    feedback: bool = False,
    kinds: Sequence[str] | None = None,
) -> list[Passage]:
    """The passages that best answer ``query`` within ``scope``, best first.

    ``expansions`` (word → weight ≤ 1) widen the query; by default they come from the corpus
    (``bot.search.expansion``; pseudo-relevance ``feedback`` only when asked for). ``kinds``
    keeps only those chunk kinds (``("transcript",)``: what was said, for answers).
    """
    episode_ids = scoped_episode_ids(session, scope)
    if episode_ids == []:
        return []
    if expansions is None:
        expansions = corpus_expansions(session, query, episode_ids, feedback=feedback)
    terms = query_terms(query, expansions)
    titled = title_episodes(session, terms, episode_ids)
    terms = split_unseen(session, terms, keep=frozenset().union(*titled.values()))
    pool = max(limit, CANDIDATES)
    # Insight and summary chunks are short, so BM25 ranks them high: a wider pool keeps
    # enough of the wanted kinds when only some are wanted.
    candidates = pool * (KIND_POOL if kinds else 1)
    ranked, places = rank_placed(session, terms, episode_ids, limit=candidates)
    ranked = rerank_with_context(session, ranked, kinds=kinds, keep=pool, places=places)
    ranked = _titled_first(session, ranked, terms, titled, kinds)
    weights = term_weights(session, terms)
    # One read of the window candidates serves the window reranking and then the passages
    # shown, which are nearly always among them.
    read = passage_rows(session, [chunk_id for chunk_id, _ in window_candidates(ranked)])
    texts = {chunk_id: (row[1], row[5]) for chunk_id, row in read.items()}
    ranked = rerank_by_window(session, ranked, weights, question_kind(query), titled, texts=texts)
    if embedder is not None:
        vector = embedder.embed([query])[0]
        dense = rank_by_vector(session, vector, episode_ids, limit=max(limit, CANDIDATES))
        ranked = reciprocal_rank_fusion([ranked, dense]) if dense else ranked
    return build_passages(session, ranked[:limit], terms, read)


def _titled_first(
    session: Session,
    ranked: list[tuple[int, float]],
    terms: Sequence[QueryTerm],
    titled: Mapping[int, frozenset[str]],
    kinds: Sequence[str] | None = None,
) -> list[tuple[int, float]]:
    """Candidates plus the best passages of episodes titled with a question word, boosted."""
    if not titled or not ranked:
        return ranked
    scores = dict(ranked)
    # Inside an episode titled "Scrapinghub" every passage is about Scrapinghub: the other
    # words of the question pick the passage.
    said = frozenset().union(*titled.values())
    rest = [t for t in terms if stem(t.word) not in said] or list(terms)
    titled_ranked = rank_chunks(
        session, rest, sorted(titled), limit=TITLED * (KIND_POOL if kinds else 1)
    )
    if kinds is not None:
        ids = [chunk_id for chunk_id, _ in titled_ranked]
        kind_of = dict(rows_by_ids(session, "SELECT id, kind FROM chunk WHERE id {ids}", ids))
        titled_ranked = [p for p in titled_ranked if kind_of.get(p[0]) in kinds][:TITLED]
    for chunk_id, score in titled_ranked:
        scores.setdefault(chunk_id, score)
    rows = rows_by_ids(session, "SELECT id, episode_id FROM chunk WHERE id {ids}", list(scores))
    bonus = TITLE_BONUS * max(scores.values())
    boosted = {i: s + (bonus if e in titled else 0.0) for i, e in rows for s in [scores[i]]}
    return sorted(boosted.items(), key=lambda pair: (-pair[1], pair[0]))


# What a passage shows of its chunk, episode and podcast (whole ORM rows cost more to build).
PASSAGE_SQL = (
    'SELECT c.id, c.episode_id, c.kind, c.start, c."end", c.text, e.title, e.audio_url, '
    "e.link, p.title FROM chunk c JOIN episode e ON e.id = c.episode_id "
    "JOIN podcast p ON p.id = e.podcast_id WHERE c.id {ids}"
)


def passage_rows(session: Session, ids: Sequence[int]) -> dict[int, Row]:
    """PASSAGE_SQL's row of each chunk id (chunks since deleted have none)."""
    return {row[0]: row for row in rows_by_ids(session, PASSAGE_SQL, ids)}


def build_passages(
    session: Session,
    ranked: Sequence[tuple[int, float]],
    terms: Sequence[QueryTerm],
    read: Mapping[int, Row] | None = None,
) -> list[Passage]:
    """Passages for ranked chunk ids; summaries are pinned to their best transcript moment.
    ``read`` holds ``passage_rows`` already read (the rest are read here)."""
    found = dict(read or {})
    found |= passage_rows(session, [chunk_id for chunk_id, _ in ranked if chunk_id not in found])
    passages = []
    for chunk_id, score in ranked:
        if chunk_id not in found:
            continue
        _, episode_id, kind, start, end, text, episode, audio_url, link, podcast = found[chunk_id]
        if kind == "summary":
            start, end = _pin_to_transcript(session, terms, episode_id, (start, end))
        passages.append(
            Passage(
                podcast=podcast,
                episode=episode,
                episode_id=episode_id,
                start=start,
                end=end,
                text=text,
                url=moment_url(audio_url, link, start),
                score=round(score, 6),
                kind=kind,
            )
        )
    return passages


def _pin_to_transcript(
    session: Session, terms: Sequence[QueryTerm], episode_id: int, default: tuple[float, float]
) -> tuple[float, float]:
    """Where in the episode a summary hit is borne out: best matching transcript chunk, else
    the summary's best matching key point, else the default."""
    for chunk_id, _ in rank_chunks(session, terms, [episode_id], limit=5):
        chunk = session.get(Chunk, chunk_id)
        if chunk is not None and chunk.kind == "transcript":
            return chunk.start, chunk.end
    summary = session.get(EpisodeSummary, episode_id)
    points = [p for p in (summary.key_points if summary else []) or [] if "start" in p]
    if not points:
        return default
    wanted = {stem(t.word) for t in terms}
    best = max(
        points, key=lambda p: len(wanted & {stem(w) for w in content_words(p.get("text", ""))})
    )
    start = float(best["start"])
    around = session.exec(
        select(Chunk.end)
        .where(Chunk.episode_id == episode_id, Chunk.kind == "transcript")
        .where(col(Chunk.start) <= start, col(Chunk.end) >= start)
    ).first()
    return start, float(around) if around is not None else start
