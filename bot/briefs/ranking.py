"""Personalised top-N: relevance, freshness, novelty, diversity, feedback; related insights.

Relevance to a topic joins two signals: what the insight itself says (its words and filed
topics, blended with embeddings when configured) and what its episode is about (title, show,
summary, transcript: ``bot.briefs.profiles``), so the insights of an episode that discusses a
topic at length are candidates even when their own words do not name it.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import numpy as np

from bot.briefs import explain
from bot.briefs.pool import InsightPool, PoolInsight, similarity
from bot.briefs.related import related_insights
from bot.briefs.relevance import combined, episode_match, episode_relevance, text_relevance
from bot.briefs.request import Pick, Ranking, RankRequest
from bot.briefs.wording import TopicTerms
from bot.text.topics import topic_relevance

log = logging.getLogger(__name__)

FOLLOWED_SHOW_RELEVANCE = 0.6  # an insight from a show the channel follows counts as relevant
DUPLICATE = 0.55  # stem-set cosine at which two claims say the same thing
SAME_SHOW_PENALTY = 0.08  # per item already picked from that show: prefer distinct shows
SAME_TOPIC_PENALTY = 0.1  # per item already picked for that topic: cover every topic
NEW_SINCE_LAST_BRIEF = 0.05
UNDATED_FRESHNESS = 0.5  # an episode with no date is neither fresh nor stale
EPISODE_CANDIDATE = 0.25  # episode coverage that makes all its insights candidates
MAX_EXPLAINED_LOSERS = 8


def rank_insights(pool: InsightPool, request: RankRequest) -> Ranking:
    """The top ``request.size`` insights for the request, with who else said them."""
    losers: list[str] = []
    scored, below = _score_candidates(pool, request, losers)
    picks = _select(scored, request, losers)
    picked = {pick.item.id for pick in picks}
    for pick in picks:
        pick.related = related_insights(pool, pick, request, picked)
        pick.why = explain.pick_reason(pick)
    explanation = explain.interleaving(picks, request) + losers[:MAX_EXPLAINED_LOSERS]
    if len(losers) > MAX_EXPLAINED_LOSERS:
        explanation.append(f"… and {len(losers) - MAX_EXPLAINED_LOSERS} more not picked.")
    matched: dict[str, int] = {}
    for pick in scored:
        matched[pick.topic] = matched.get(pick.topic, 0) + 1
    return Ranking(picks, explanation, len(scored), below, matched)


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


def _score_candidates(
    pool: InsightPool, request: RankRequest, losers: list[str]
) -> tuple[list[Pick], dict[str, list[Pick]]]:
    delivered = _DeliveredClaims(
        [pool.items[pool.by_id[i]].doc for i in request.delivered if i in pool.by_id]
    )
    scored: list[Pick] = []
    near: dict[str, list[tuple[float, int]]] = {}
    stale: list[tuple[float, int, str]] = []
    recent = window_positions(pool, request)
    for position, (topic, value) in _best_topics(pool, request).items():
        item = pool.items[position]
        if position not in recent:
            if value >= request.min_relevance and item.dated:
                stale.append((value, position, topic))
            continue
        if value < request.min_relevance:
            near.setdefault(topic, []).append((value, position))  # the closest, when nothing new
            continue
        if item.id in request.delivered:
            losers.append(f"{explain.label(item)}: already delivered to this channel.")
        elif delivered.repeats(item.doc):
            losers.append(f"{explain.label(item)}: the same claim was already delivered.")
        else:
            scored.append(_pick(pool, position, request, topic, value))
    old = [_pick(pool, n, request, t, v) for v, n, t in sorted(stale, reverse=True)[:2]]
    losers.extend(explain.stale(old, request))
    below = {
        topic: [_pick(pool, n, request, topic, v) for v, n in sorted(pairs, reverse=True)[:5]]
        for topic, pairs in near.items()
    }
    return scored, below


def window_positions(pool: InsightPool, request: RankRequest) -> set[int]:
    """Pool positions inside the request's window (cached: channels share windows)."""
    key = ("recent", request.window_start, request.window_end)
    if key not in pool.matches:
        start, end = key[1], key[2]
        pool.matches[key] = {n for n, item in enumerate(pool.items) if start <= item.at < end}
    return pool.matches[key]


def _best_topics(pool: InsightPool, request: RankRequest) -> dict[int, tuple[str, float]]:
    """Candidate position → the topic it serves best and how well, in position order."""
    best: dict[int, tuple[str, float]] = {}
    for topic, terms in request.topics.items():
        for position, (value, _) in topic_scores(pool, request, terms).items():
            if value > best.get(position, ("", -1.0))[1]:
                best[position] = (topic, value)
    if request.topic_vectors:
        _blend_embeddings(pool, request, best)
    if request.visible is not None:  # another workspace's shows are never a candidate
        best = {p: v for p, v in best.items() if pool.items[p].podcast_id in request.visible}
    if request.podcast_ids:
        for position, item in enumerate(pool.items):
            followed = item.podcast_id in request.podcast_ids
            if followed and best.get(position, ("", 0.0))[1] < FOLLOWED_SHOW_RELEVANCE:
                best[position] = ("", FOLLOWED_SHOW_RELEVANCE)
    return dict(sorted(best.items()))


def _blend_embeddings(pool: InsightPool, request: RankRequest, best: dict) -> None:
    """The calibrated blend of each embedded insight's lexical relevance with its cosine."""
    for position, item in enumerate(pool.items):
        if item.embedding is None:
            continue
        for topic, terms in request.topics.items():
            vector = request.topic_vectors.get(topic)
            if not _comparable(item.embedding, vector):
                continue
            lexical = topic_scores(pool, request, terms).get(position, (0.0, 0.0))[0]
            cosine = float(item.embedding @ vector)
            value = topic_relevance({}, item.doc, cosine, lexical=lexical)
            if value > best.get(position, ("", -1.0))[1]:
                best[position] = (topic, value)


class _DeliveredClaims:
    """Claims a channel already got, indexed by stem so a year of briefs stays cheap."""

    def __init__(self, docs: list[frozenset[str]]) -> None:
        self.docs = docs
        self.postings: dict[str, list[int]] = {}
        for number, doc in enumerate(docs):
            for term in doc:
                self.postings.setdefault(term, []).append(number)

    def repeats(self, doc: frozenset[str]) -> bool:
        """Whether ``doc`` says what a delivered claim said (stem-set cosine ≥ DUPLICATE)."""
        shared: dict[int, int] = {}
        for term in doc:
            for number in self.postings.get(term, ()):
                shared[number] = shared.get(number, 0) + 1
        return any(
            count / (len(doc) * len(self.docs[n])) ** 0.5 >= DUPLICATE
            for n, count in shared.items()
        )


def _pick(pool: InsightPool, position: int, request: RankRequest, topic: str, value: float):
    """The scored Pick, with the words and the episode coverage that matched."""
    item = pool.items[position]
    if not topic:
        pick = _score(item, request, item.podcast, value)
        pick.matched = ["followed show"]
        return pick
    terms = request.topics[topic]
    pick = _score(item, request, topic, value)
    pick.text_match, pick.matched = text_relevance(pool, terms).get(position, (0.0, []))
    pick.episode = episode_match(request, terms, item.episode_id)
    return pick


def _score(item: PoolInsight, request: RankRequest, best_topic: str, best: float) -> Pick:
    span = (request.window_end - request.window_start).total_seconds() or 1.0
    freshness = max(0.0, min(1.0, (item.at - request.window_start).total_seconds() / span))
    if not item.dated:
        freshness = UNDATED_FRESHNESS
    elif request.last_brief_at and item.at > request.last_brief_at:
        freshness = min(1.0, freshness + NEW_SINCE_LAST_BRIEF)
    shift = request.weights.shift(item.doc, item.podcast_id) if request.weights else 0.0
    score = 0.55 * best + 0.2 * freshness + 0.25 * item.score + shift
    days = max(1, round(span / 86400))
    last_day = (request.window_end - timedelta(seconds=1)).date()
    age = (last_day - item.at.date()).days if item.dated else None
    return Pick(
        item,
        round(score, 4),
        best,
        freshness,
        round(shift, 3),
        best_topic,
        [],
        window_days=days,
        age_days=age,
    )


def _comparable(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    return a is not None and b is not None and a.shape == b.shape


def _select(scored: list[Pick], request: RankRequest, losers: list[str]) -> list[Pick]:
    """Greedy picks: best effective score, folding near-duplicates, capping per episode."""
    # why: penalties are bounded, so items far below the top can never win a slot
    remaining = sorted(scored, key=lambda p: (-p.score, p.item.id))[: request.size * 40]
    picks: list[Pick] = []
    per_episode: dict[int, int] = {}
    per_show: dict[int, int] = {}
    per_topic: dict[str, int] = {}

    def effective(pick: Pick) -> float:
        shows = SAME_SHOW_PENALTY * per_show.get(pick.item.podcast_id, 0)
        return pick.score - shows - SAME_TOPIC_PENALTY * per_topic.get(pick.topic, 0)

    while remaining and len(picks) < request.size:
        best = max(remaining, key=effective)
        strongest = max(remaining, key=lambda p: (p.score, -p.item.id))
        remaining.remove(best)
        twin = next((p for p in picks if similarity(p.item.doc, best.item.doc) >= DUPLICATE), None)
        if twin is not None:
            if twin.item.episode_id != best.item.episode_id:
                twin.folded.append(best.item)
            losers.append(explain.repeats(best, picks.index(twin) + 1))
        elif per_episode.get(best.item.episode_id, 0) >= request.max_per_episode:
            losers.append(explain.episode_full(best, request.max_per_episode))
        else:
            if strongest is not best and strongest.topic != best.topic:
                best.turn = explain.took_turn(best, strongest, per_topic)
            picks.append(best)
            per_episode[best.item.episode_id] = per_episode.get(best.item.episode_id, 0) + 1
            per_show[best.item.podcast_id] = per_show.get(best.item.podcast_id, 0) + 1
            per_topic[best.topic] = per_topic.get(best.topic, 0) + 1
    if picks:
        losers.extend(explain.weaker(p, picks[-1], len(picks)) for p in remaining[:3])
    return picks
