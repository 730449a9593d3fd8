"""Personalised top-N: relevance, freshness, novelty, diversity, feedback; related insights."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from bot.briefs.feedback import ChannelWeights
from bot.briefs.pool import InsightPool, PoolInsight, similarity
from bot.text.topics import matched_terms, surface_words, topic_relevance

log = logging.getLogger(__name__)

FOLLOWED_SHOW_RELEVANCE = 0.6  # an insight from a show the channel follows counts as relevant
DUPLICATE = 0.55  # stem-set cosine at which two claims say the same thing
RELATED = 0.3  # … and at which another episode is "saying something related"
SAME_SHOW_PENALTY = 0.08  # per item already picked from that show: prefer distinct shows
SAME_TOPIC_PENALTY = 0.1  # per item already picked for that topic: cover every topic
NEW_SINCE_LAST_BRIEF = 0.05
MAX_EXPLAINED_LOSERS = 8


@dataclass(frozen=True)
class RankRequest:
    """What a channel (or an ad-hoc topic list) wants from the pool."""

    topics: dict[str, dict[str, float]]  # topic text → expanded terms (bot.text.topics)
    window_start: datetime
    window_end: datetime
    size: int = 5
    max_per_episode: int = 2
    related_per_item: int = 3
    min_relevance: float = 0.5
    podcast_ids: frozenset[int] = frozenset()
    delivered: frozenset[int] = frozenset()
    last_brief_at: datetime | None = None
    weights: ChannelWeights = field(default_factory=ChannelWeights)
    topic_vectors: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class Pick:
    """A ranked insight with the reasons it won."""

    item: PoolInsight
    score: float
    relevance: float
    freshness: float
    shift: float
    topic: str
    matched: list[str]
    related: list[PoolInsight] = field(default_factory=list)
    folded: list[PoolInsight] = field(default_factory=list)

    @property
    def why(self) -> str:
        """One line: matched topic and the scores behind the pick."""
        via = f" via {', '.join(self.matched[:3])}" if self.matched else ""
        shift = f", feedback {self.shift:+.2f}" if self.shift else ""
        return (
            f'matched "{self.topic}"{via} (relevance {self.relevance:.2f}, freshness '
            f"{self.freshness:.2f}, quality {self.item.score:.2f}{shift}) → {self.score:.2f}"
        )


@dataclass
class Ranking:
    picks: list[Pick]
    explanation: list[str]
    considered: int = 0


def rank_insights(pool: InsightPool, request: RankRequest) -> Ranking:
    """The top ``request.size`` insights for the request, with who else said them."""
    losers: list[str] = []
    scored = _score_candidates(pool, request, losers)
    picks = _select(scored, request, losers)
    picked = {pick.item.id for pick in picks}
    for pick in picks:
        pick.related = _related(pool, pick, request.related_per_item, picked)
        terms = request.topics.get(pick.topic)
        found = matched_terms(terms, pick.item.doc) if terms else []
        written = f"{pick.item.text} {' '.join(pick.item.topics)}"
        pick.matched = surface_words(found, written) if terms else ["followed show"]
    explanation = losers[:MAX_EXPLAINED_LOSERS]
    if len(losers) > MAX_EXPLAINED_LOSERS:
        explanation.append(f"… and {len(losers) - MAX_EXPLAINED_LOSERS} more not picked.")
    return Ranking(picks=picks, explanation=explanation, considered=len(scored))


def _lexical(pool: InsightPool, request: RankRequest) -> dict[str, dict[int, float]]:
    """Per topic, the noisy-OR relevance of every insight holding one of its terms.

    Walking each term's postings costs what the matches cost, not pool size × terms.
    """
    out: dict[str, dict[int, float]] = {}
    for topic, terms in request.topics.items():
        missing: dict[int, float] = {}
        for term, weight in terms.items():
            for position in pool.with_term(term):
                missing[position] = missing.get(position, 1.0) * (1.0 - weight)
        out[topic] = {position: 1.0 - value for position, value in missing.items()}
    return out


def _candidates(pool: InsightPool, request: RankRequest, lexical: dict) -> list[int]:
    positions: set[int] = set()
    for by_position in lexical.values():
        positions.update(by_position)
    if request.podcast_ids or request.topic_vectors:
        positions.update(
            n
            for n, item in enumerate(pool.items)
            if item.podcast_id in request.podcast_ids or item.embedding is not None
        )
    start, end = request.window_start, request.window_end
    return sorted(n for n in positions if start <= pool.items[n].at < end)


def _score_candidates(pool: InsightPool, request: RankRequest, losers: list[str]) -> list[Pick]:
    delivered = _DeliveredClaims(
        [pool.items[pool.by_id[i]].doc for i in request.delivered if i in pool.by_id]
    )
    lexical = _lexical(pool, request)
    scored = []
    for position in _candidates(pool, request, lexical):
        item = pool.items[position]
        topic, relevance = _best_topic(position, item, request, lexical)
        if relevance < request.min_relevance:
            continue  # unrelated to every topic: not worth a line in the explanation
        pick = _score(item, request, topic, relevance)
        if item.id in request.delivered:
            losers.append(f"{_label(item)}: already delivered to this channel.")
        elif delivered.repeats(item.doc):
            losers.append(f"{_label(item)}: the same claim was already delivered.")
        else:
            scored.append(pick)
    return scored


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


def _best_topic(
    position: int, item: PoolInsight, request: RankRequest, lexical: dict
) -> tuple[str, float]:
    """The topic ``item`` matches best and how well (embeddings blended in when present)."""
    best_topic, best = "", 0.0
    for topic in request.topics:
        value = lexical[topic].get(position, 0.0)
        vector = request.topic_vectors.get(topic)
        if _comparable(item.embedding, vector):
            value = topic_relevance({}, item.doc, float(item.embedding @ vector), lexical=value)
        if value > best:
            best_topic, best = topic, value
    if item.podcast_id in request.podcast_ids and best < FOLLOWED_SHOW_RELEVANCE:
        return item.podcast, FOLLOWED_SHOW_RELEVANCE
    return best_topic, best


def _score(item: PoolInsight, request: RankRequest, best_topic: str, best: float) -> Pick:
    span = (request.window_end - request.window_start).total_seconds() or 1.0
    freshness = max(0.0, min(1.0, (item.at - request.window_start).total_seconds() / span))
    if request.last_brief_at and item.at > request.last_brief_at:
        freshness = min(1.0, freshness + NEW_SINCE_LAST_BRIEF)
    shift = request.weights.shift(item.doc, item.podcast_id) if request.weights else 0.0
    score = 0.55 * best + 0.2 * freshness + 0.25 * item.score + shift
    return Pick(item, round(score, 4), best, freshness, round(shift, 3), best_topic, [])


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
        remaining.remove(best)
        twin = next((p for p in picks if similarity(p.item.doc, best.item.doc) >= DUPLICATE), None)
        if twin is not None:
            if twin.item.episode_id != best.item.episode_id:
                twin.folded.append(best.item)
            losers.append(f"{_label(best.item)}: same claim as #{picks.index(twin) + 1}.")
        elif per_episode.get(best.item.episode_id, 0) >= request.max_per_episode:
            losers.append(
                f"{_label(best.item)}: already {request.max_per_episode} items from that episode."
            )
        else:
            picks.append(best)
            per_episode[best.item.episode_id] = per_episode.get(best.item.episode_id, 0) + 1
            per_show[best.item.podcast_id] = per_show.get(best.item.podcast_id, 0) + 1
            per_topic[best.topic] = per_topic.get(best.topic, 0) + 1
    losers.extend(
        f"{_label(p.item)}: scored {p.score:.2f}, below the top {request.size}."
        for p in remaining[:3]
    )
    return picks


def _related(pool: InsightPool, pick: Pick, limit: int, picked: set[int]) -> list[PoolInsight]:
    """Folded duplicates first, then the closest insights from other episodes.

    Insights that are items of the same brief are left out: the reader sees them anyway, and
    "Also said on" pointing at item 5 from items 1, 2 and 3 reads as repetition.
    """
    out = list(pick.folded)
    seen_episodes = {pick.item.episode_id} | {item.episode_id for item in out}
    closest = _closest(pool, pick.item)
    other_shows = [i for i in closest if i.podcast_id != pick.item.podcast_id]
    same_show = [i for i in closest if i.podcast_id == pick.item.podcast_id]
    for item in other_shows + same_show:  # "who else said this": other shows first
        if len(out) >= limit:
            break
        if item.episode_id not in seen_episodes and item.id not in picked:
            out.append(item)
            seen_episodes.add(item.episode_id)
    return out[:limit]


def _closest(pool: InsightPool, item: PoolInsight) -> list[PoolInsight]:
    """Insights from other episodes sharing words with ``item``, closest first (cached)."""
    if item.id not in pool.related:
        candidates: set[int] = set()
        for term in item.doc:
            candidates.update(pool.postings.get(term, ()))
        ranked = sorted(
            (
                (-similarity(item.doc, pool.items[n].doc), pool.items[n].id, pool.items[n])
                for n in candidates
                if pool.items[n].episode_id != item.episode_id
            ),
            key=lambda triple: triple[:2],
        )
        pool.related[item.id] = [other for value, _, other in ranked[:20] if -value >= RELATED]
    return pool.related[item.id]


def _label(item: PoolInsight) -> str:
    text = item.text if len(item.text) <= 60 else item.text[:57] + "…"
    return f'"{text}" ({item.podcast} · {item.episode})'
