""" "Also said on": what other shows said about the same thing, and whether they agree.

Related means the same subject in specific words (weighted by how rare each word is, so
sharing "object" or "Kubernetes" alone is not enough), on the pick's topic, from another show
(another episode of the same show only when no other show has one).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from bot.briefs.pool import InsightPool, PoolInsight, similarity
from bot.briefs.relevance import combined, episode_relevance, text_relevance
from bot.briefs.request import Pick, RankRequest

RELATED = 0.22  # rarity-weighted cosine at which another insight is "about the same thing"
SAME = 0.45  # … and at which it says the same thing (agrees or disagrees)
MIN_SHARED = 2  # specific words two related insights share at least
SPECIFIC_SHARE = 0.05  # a word in more than this share of insights is not specific
CLOSEST = 20
COVERED = 0.6  # the related insight's episode covers the pick's topic at least this well
NEGATION_RE = re.compile(
    r"\b(?:not|never|no longer|don'?t|doesn'?t|isn'?t|aren'?t|won'?t|can'?t|shouldn'?t|"
    r"stop|wrong|overrated|myth|against|worse|instead of|rather than|fails?|failed)\b",
    re.I,
)
CONTRAST_RE = re.compile(r"\b(?:but|however|actually|instead|on the contrary|disagree)\b", re.I)


@dataclass(frozen=True)
class Related:
    """Another insight saying something about the pick, and how: agrees, disagrees or adds."""

    item: PoolInsight
    stance: str


def related_insights(
    pool: InsightPool, pick: Pick, request: RankRequest, picked: set[int]
) -> list[Related]:
    """Folded duplicates first, then the closest on-topic insights, other shows first.

    Insights that are items of the same brief are left out: the reader sees them anyway.
    """
    limit = request.related_per_item
    folded = [(1.0, item) for item in pick.folded]
    closest = [
        (value, item)
        for value, item in closest_insights(pool, pick.item)
        if item.id not in picked
        and (request.visible is None or item.podcast_id in request.visible)
        and _on_topic(pool, item, pick, request)
    ]
    pairs = folded + closest
    others = [pair for pair in pairs if pair[1].podcast_id != pick.item.podcast_id]
    chosen = others or pairs  # another episode of the same show only when no other show has one
    out: list[Related] = []
    seen = {pick.item.episode_id}
    for value, item in chosen:
        if len(out) >= limit:
            break
        if item.episode_id not in seen:
            out.append(Related(item, stance(pick.item, item, value)))
            seen.add(item.episode_id)
    return out


def _on_topic(pool: InsightPool, item: PoolInsight, pick: Pick, request: RankRequest) -> bool:
    terms = request.topics.get(pick.topic)
    if terms is None:
        return True  # a followed show: any closely related insight will do
    position = pool.by_id[item.id]
    text = text_relevance(pool, terms).get(position, (0.0, []))[0]
    covered = episode_relevance(request, terms).get(item.episode_id, 0.0)
    # why: "said on" another show means that show discussed the topic, not mentioned it once
    return covered >= COVERED and combined(text, covered) >= request.min_relevance


def closest_insights(pool: InsightPool, item: PoolInsight) -> list[tuple[float, PoolInsight]]:
    """Insights of other episodes about the same thing as ``item``, closest first (cached)."""
    if item.id not in pool.related:
        total = max(len(pool.items), 1)
        own = _weighted(pool, item, total)
        specific = [w for w in own if pool.word_df(w) <= max(2, SPECIFIC_SHARE * total)]
        shared: dict[int, int] = {}
        for word in specific:
            for n in pool.word_postings.get(word, ()):
                shared[n] = shared.get(n, 0) + 1
        ranked = []
        for n, count in shared.items():
            other = pool.items[n]
            if count < MIN_SHARED or other.episode_id == item.episode_id:
                continue
            value = _cosine(own, _weighted(pool, other, total))
            if value >= RELATED:
                ranked.append((-value, other.id, other))
        ranked.sort(key=lambda triple: triple[:2])
        pool.related[item.id] = [(-value, other) for value, _, other in ranked[:CLOSEST]]
    return pool.related[item.id]


def _weighted(pool: InsightPool, item: PoolInsight, total: int) -> dict[str, float]:
    words = {w for w in item.words.tokens if w != "·"}
    return {w: math.log(1 + total / max(pool.word_df(w), 1)) for w in words}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(a[w] * b[w] for w in a.keys() & b.keys())
    norm = math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def stance(pick: PoolInsight, other: PoolInsight, closeness: float) -> str:
    """ "agrees" or "disagrees" when both say the same thing (one negating it: disagrees),
    "adds" when the other says something more about the subject."""
    same = closeness >= SAME or similarity(pick.doc, other.doc) >= SAME
    negated = bool(NEGATION_RE.search(pick.text)) != bool(NEGATION_RE.search(other.text))
    if same:
        return "disagrees" if negated else "agrees"
    if negated and CONTRAST_RE.search(other.text):
        return "disagrees"
    return "adds"
