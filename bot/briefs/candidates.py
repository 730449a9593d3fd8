"""A request's candidates: the insights on its topics, split into fresh, stale and near misses.

Everything here depends on the topics, the window and the workspace only, never on what one
channel got or voted, so it is computed once and shared by every channel asking the same.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np

from bot.briefs.pool import InsightPool
from bot.briefs.relevance import combined, episode_relevance, text_relevance
from bot.briefs.request import RankRequest
from bot.briefs.wording import TopicTerms
from bot.text.topics import topic_relevance

FOLLOWED_SHOW_RELEVANCE = 0.6  # an insight from a show the channel follows counts as relevant
EPISODE_CANDIDATE = 0.25  # episode coverage that makes all its insights candidates
UNDATED_FRESHNESS = 0.5  # an episode with no date is neither fresh nor stale
STALE_KEPT = 2  # the best stale items kept for the `why` lines
NEAR_KEPT = 5  # per topic, the closest misses kept for the notes
ABSENT = -1.0  # the relevance of a position no topic scored: below every real one
KEPT_TOPIC_LISTS = 256  # candidate lists cached per day: the most recently asked for


@dataclass(frozen=True)
class Candidates:
    """Pool positions on a request's topics, in position order, sorted into what ranking does.

    ``fresh`` entries are (position, topic, relevance, base score): the base is the score
    before the channel's own freshness bonus and feedback shift.
    """

    fresh: list[tuple[int, str, float, float]]
    stale: list[tuple[float, int, str]]  # the best relevant ones older than the window
    near: dict[str, list[tuple[float, int]]]  # per topic, the closest below min relevance
    cache: dict = field(default_factory=dict, compare=False)  # what ranking derives from these


def candidates(pool: InsightPool, request: RankRequest) -> Candidates:
    """The request's candidates, cached on its profiles for every request that shares them.

    Channels following shows of their own (``podcast_ids``) or matching with embeddings get
    their own computation: those depend on the channel.
    """
    profiles = request.profiles
    if profiles is None or request.podcast_ids or request.topic_vectors:
        return _candidates(pool, request)
    key = (
        tuple((topic, terms.signature) for topic, terms in request.topics.items()),
        request.window_start,
        request.window_end,
        request.min_relevance,
        request.visible,
    )
    with profiles.lock:  # briefs are composed on several threads (DELIVERY_CONCURRENCY)
        cached = profiles.ranked.pop(key, None)  # re-inserted last: the oldest is dropped
        if cached is not None and cached[0] is pool:
            profiles.ranked[key] = cached
            return cached[1]
    found = _candidates(pool, request)
    with profiles.lock:
        profiles.ranked[key] = (pool, found)
        while len(profiles.ranked) > KEPT_TOPIC_LISTS:
            del profiles.ranked[next(iter(profiles.ranked))]
    return found


def _candidates(pool: InsightPool, request: RankRequest) -> Candidates:
    best, winner, names = _best_topics(pool, request)
    present = best > ABSENT
    relevant = best >= request.min_relevance
    recent = _window_mask(pool, request)
    fresh_by_position = freshness(pool, request)
    fresh = []
    for position in np.flatnonzero(present & recent & relevant).tolist():
        value = float(best[position])
        base = base_score(pool.items[position].score, value, fresh_by_position[position])
        fresh.append((position, names[winner[position]], value, base))
    stale_at = np.flatnonzero(present & ~recent & relevant & _dated_mask(pool)).tolist()
    stale = heapq.nlargest(STALE_KEPT, [(float(best[n]), n, names[winner[n]]) for n in stale_at])
    return Candidates(fresh, stale, _near(best, winner, names, present & recent & ~relevant))


def _near(
    best: np.ndarray, winner: np.ndarray, names: list[str], mask: np.ndarray
) -> dict[str, list[tuple[float, int]]]:
    """Per topic (in order of its first position), its closest misses, best first."""
    positions = np.flatnonzero(mask)
    codes, first = np.unique(winner[positions], return_index=True)
    near = {}
    for code in codes[np.argsort(first)].tolist():
        mine = positions[winner[positions] == code]
        order = np.lexsort((mine, best[mine]))[::-1][:NEAR_KEPT]  # value, then position, desc
        near[names[code]] = [(float(best[n]), int(n)) for n in mine[order]]
    return near


def base_score(quality: float, relevance: float, fresh: float) -> float:
    """The score before the feedback shift (add it last: the sum's order is the score's)."""
    return 0.55 * relevance + 0.2 * fresh + 0.25 * quality


def freshness(pool: InsightPool, request: RankRequest) -> list[float]:
    """Per pool position, how far into the window it was published (cached per window)."""
    key = ("fresh", request.window_start, request.window_end)
    if key not in pool.matches:
        start = request.window_start
        span = (request.window_end - start).total_seconds() or 1.0
        pool.matches[key] = [
            max(0.0, min(1.0, (item.at - start).total_seconds() / span))
            if item.dated
            else UNDATED_FRESHNESS
            for item in pool.items
        ]
    return pool.matches[key]


def window_positions(pool: InsightPool, request: RankRequest) -> set[int]:
    """Pool positions inside the request's window (cached: channels share windows)."""
    key = ("recent", request.window_start, request.window_end)
    if key not in pool.matches:
        start, end = key[1], key[2]
        pool.matches[key] = {n for n, item in enumerate(pool.items) if start <= item.at < end}
    return pool.matches[key]


def topic_scores(
    pool: InsightPool, request: RankRequest, terms: TopicTerms
) -> dict[int, tuple[float, float]]:
    """Pool position → (relevance, text match) for every candidate of one topic.

    Cached with the topic's terms: a thousand channels following it share one computation.
    """
    key = ("scores", terms.signature)
    cached = terms.cache.get(key)
    if cached is None or cached[0] is not pool:
        text = text_relevance(pool, terms)
        covered = episode_relevance(request, terms)
        positions = set(text)
        for episode_id, value in covered.items():
            if value >= EPISODE_CANDIDATE:
                positions.update(pool.by_episode.get(episode_id, ()))
        scores = {}
        for n in positions:
            match = text.get(n, (0.0, []))[0]
            scores[n] = (combined(match, covered.get(pool.items[n].episode_id, 0.0)), match)
        cached = (pool, scores)
        terms.cache[key] = cached
    return cached[1]


def _best_topics(
    pool: InsightPool, request: RankRequest
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Per pool position, the best relevance to any topic (ABSENT: not a candidate), which
    topic it is (an index into the names; the first topic wins a tie) and the names ("" for
    a followed show)."""
    names = [*request.topics, ""]
    best = np.full(len(pool.items), ABSENT)
    winner = np.zeros(len(pool.items), dtype=np.int64)
    for code, terms in enumerate(request.topics.values()):
        positions, values = _topic_arrays(pool, request, terms)
        better = values > best[positions]  # strictly: the first topic wins a tie
        best[positions[better]], winner[positions[better]] = values[better], code
    if request.topic_vectors:
        _blend_embeddings(pool, request, best, winner)
    if request.visible is not None:  # another workspace's shows are never a candidate
        best[~np.isin(_podcast_ids(pool), list(request.visible))] = ABSENT
    if request.podcast_ids:
        followed = np.isin(_podcast_ids(pool), list(request.podcast_ids))
        lifted = followed & (np.maximum(best, 0.0) < FOLLOWED_SHOW_RELEVANCE)
        best[lifted], winner[lifted] = FOLLOWED_SHOW_RELEVANCE, len(names) - 1
    return best, winner, names


def _topic_arrays(
    pool: InsightPool, request: RankRequest, terms: TopicTerms
) -> tuple[np.ndarray, np.ndarray]:
    """One topic's candidate positions and their relevance, as arrays (cached per topic)."""
    key = ("arrays", terms.signature)
    cached = terms.cache.get(key)
    if cached is None or cached[0] is not pool:
        scores = topic_scores(pool, request, terms)
        positions = np.fromiter(scores, dtype=np.int64, count=len(scores))
        values = np.fromiter((v for v, _ in scores.values()), dtype=np.float64, count=len(scores))
        cached = (pool, (positions, values))
        terms.cache[key] = cached
    return cached[1]


def _window_mask(pool: InsightPool, request: RankRequest) -> np.ndarray:
    key = ("recent mask", request.window_start, request.window_end)
    if key not in pool.matches:
        mask = np.zeros(len(pool.items), dtype=bool)
        mask[list(window_positions(pool, request))] = True
        pool.matches[key] = mask
    return pool.matches[key]


def _dated_mask(pool: InsightPool) -> np.ndarray:
    if "dated" not in pool.matches:
        pool.matches["dated"] = np.array([item.dated for item in pool.items], dtype=bool)
    return pool.matches["dated"]


def _podcast_ids(pool: InsightPool) -> np.ndarray:
    if "podcast ids" not in pool.matches:
        pool.matches["podcast ids"] = np.array([i.podcast_id for i in pool.items], dtype=np.int64)
    return pool.matches["podcast ids"]


def _blend_embeddings(
    pool: InsightPool, request: RankRequest, best: np.ndarray, winner: np.ndarray
) -> None:
    """The calibrated blend of each embedded insight's lexical relevance with its cosine."""
    for position, item in enumerate(pool.items):
        if item.embedding is None:
            continue
        for code, (topic, terms) in enumerate(request.topics.items()):
            vector = request.topic_vectors.get(topic)
            if not _comparable(item.embedding, vector):
                continue
            lexical = topic_scores(pool, request, terms).get(position, (0.0, 0.0))[0]
            cosine = float(item.embedding @ vector)
            value = topic_relevance({}, item.doc, cosine, lexical=lexical)
            if value > best[position]:
                best[position], winner[position] = value, code


def _comparable(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    return a is not None and b is not None and a.shape == b.shape
