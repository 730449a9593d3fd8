"""Personalised top-N: relevance, freshness, novelty, diversity, feedback; related insights.

Relevance to a topic joins two signals: what the insight itself says (its words and filed
topics, blended with embeddings when configured) and what its episode is about (title, show,
summary, transcript: ``bot.briefs.profiles``), so the insights of an episode that discusses a
topic at length are candidates even when their own words do not name it.

What only depends on the topics and the window (``bot.briefs.candidates``) is shared by every
channel; what is left here is one channel's: novelty, its freshness bonus, feedback, selection.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from itertools import islice

from bot.briefs import explain
from bot.briefs.candidates import UNDATED_FRESHNESS, Candidates, base_score, candidates
from bot.briefs.pool import InsightPool, PoolInsight, similarity
from bot.briefs.related import related_insights
from bot.briefs.relevance import episode_match, text_relevance
from bot.briefs.request import Pick, Ranking, RankRequest

log = logging.getLogger(__name__)

DUPLICATE = 0.55  # stem-set cosine at which two claims say the same thing
SAME_SHOW_PENALTY = 0.08  # per item already picked from that show: prefer distinct shows
SAME_TOPIC_PENALTY = 0.1  # per item already picked for that topic: cover every topic
# Variety never trades a clearly better match for a weaker one: five items from the show that
# is about Go beat two passing mentions of a "Go binary" on other shows.
VARIETY_BAND = 0.15
NEW_SINCE_LAST_BRIEF = 0.05
MAX_EXPLAINED_LOSERS = 8

# (-score, insight id, pool position, topic, relevance, the topic its Pick shows, base score):
# sorts as ranking orders candidates (ids are unique, so the tail never decides); a followed
# show's entries have topic "" and show the show's name
Entry = tuple[float, int, int, str, float, str, float]


def rank_insights(pool: InsightPool, request: RankRequest) -> Ranking:
    """The top ``request.size`` insights for the request, with who else said them."""
    losers: list[str] = []
    found = candidates(pool, request)
    scored = _score_candidates(pool, request, found, losers)
    picks = _select(pool, scored, request, losers)
    picked = {pick.item.id for pick in picks}
    for pick in picks:
        pick.related = related_insights(pool, pick, request, picked)
        pick.why = explain.pick_reason(pick)
    explanation = explain.interleaving(picks, request) + losers[:MAX_EXPLAINED_LOSERS]
    if len(losers) > MAX_EXPLAINED_LOSERS:
        explanation.append(f"… and {len(losers) - MAX_EXPLAINED_LOSERS} more not picked.")
    matched: dict[str, int] = {}
    for entry in scored:
        matched[entry[5]] = matched.get(entry[5], 0) + 1
    return Ranking(picks, explanation, len(scored), _below(pool, request, found, matched), matched)


def _score_candidates(
    pool: InsightPool, request: RankRequest, found: Candidates, losers: list[str]
) -> list[Entry]:
    """This channel's candidates by score, best first (and why the best stale ones lost)."""
    excluded = _novelty_losers(pool, request, found, losers)
    shared = _shared_entries(pool, found)
    if request.weights or request.last_brief_at:
        scored = sorted(_rescored(pool, request, e) for e in shared if e[2] not in excluded)
    elif excluded:
        scored = [entry for entry in shared if entry[2] not in excluded]
    else:
        scored = shared
    old = [_pick(pool, n, request, t, v) for v, n, t in found.stale]
    losers.extend(explain.stale(old, request))
    return scored


def _below(
    pool: InsightPool, request: RankRequest, found: Candidates, matched: dict[str, int]
) -> dict[str, list[Pick]]:
    """Per topic with nothing new, its closest misses (what the brief's notes show)."""
    return {
        topic: [_pick(pool, n, request, topic, v) for v, n in pairs]
        for topic, pairs in found.near.items()
        if topic in request.topics and not matched.get(topic)
    }


def _novelty_losers(
    pool: InsightPool, request: RankRequest, found: Candidates, losers: list[str]
) -> set[int]:
    """Positions of candidates the channel already got, or got in other words (with why)."""
    if not request.delivered:
        return set()
    delivered = _DeliveredClaims(
        [pool.items[pool.by_id[i]].doc for i in request.delivered if i in pool.by_id]
    )
    excluded = set()
    for position, _, _, _ in found.fresh:
        item = pool.items[position]
        if item.id in request.delivered:
            losers.append(f"{explain.label(item)}: already delivered to this channel.")
        elif delivered.repeats(item.doc):
            losers.append(f"{explain.label(item)}: the same claim was already delivered.")
        else:
            continue
        excluded.add(position)
    return excluded


def _shared_entries(pool: InsightPool, found: Candidates) -> list[Entry]:
    """The candidates as entries scored without any channel's bonus or shift, best first
    (cached with the candidates: every channel with no history or votes ranks these)."""
    if "entries" not in found.cache:
        entries = []
        for position, topic, value, base in found.fresh:
            item = pool.items[position]
            shown = topic or item.podcast
            entries.append((-round(base, 4), item.id, position, topic, value, shown, base))
        found.cache["entries"] = sorted(entries)
    return found.cache["entries"]


def _rescored(pool: InsightPool, request: RankRequest, entry: Entry) -> Entry:
    """``entry`` with this channel's freshness bonus and feedback shift."""
    item, value, base = pool.items[entry[2]], entry[4], entry[6]
    if _new_since_last_brief(item, request):
        fresh = min(1.0, freshness_of(item, request) + NEW_SINCE_LAST_BRIEF)
        base = base_score(item.score, value, fresh)
    shift = request.weights.shift(item.doc, item.podcast_id) if request.weights else 0.0
    return (-round(base + shift, 4), *entry[1:])


def _new_since_last_brief(item: PoolInsight, request: RankRequest) -> bool:
    return bool(item.dated and request.last_brief_at and item.at > request.last_brief_at)


def freshness_of(item: PoolInsight, request: RankRequest) -> float:
    """How far into the request's window ``item`` was published (before any bonus)."""
    if not item.dated:
        return UNDATED_FRESHNESS
    span = (request.window_end - request.window_start).total_seconds() or 1.0
    return max(0.0, min(1.0, (item.at - request.window_start).total_seconds() / span))


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
        if not self.docs:
            return False
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
    fresh = freshness_of(item, request)
    if _new_since_last_brief(item, request):
        fresh = min(1.0, fresh + NEW_SINCE_LAST_BRIEF)
    shift = request.weights.shift(item.doc, item.podcast_id) if request.weights else 0.0
    score = base_score(item.score, best, fresh) + shift
    days = max(1, round(span / 86400))
    last_day = (request.window_end - timedelta(seconds=1)).date()
    age = (last_day - item.at.date()).days if item.dated else None
    return Pick(
        item,
        round(score, 4),
        best,
        fresh,
        round(shift, 3),
        best_topic,
        [],
        window_days=days,
        age_days=age,
    )


def _select(
    pool: InsightPool, scored: list[Entry], request: RankRequest, losers: list[str]
) -> list[Pick]:
    """Greedy picks from ``scored`` (best first): best effective score, folding
    near-duplicates, capping per episode.

    Picks are built only for the entries the greedy loop reaches (a handful of hundreds).
    """
    # why: penalties are bounded, so items far below the top can never win a slot
    remaining = scored[: request.size * 40]  # a copy: ``scored`` may be shared
    made: dict[int, Pick] = {}

    def pick_of(entry: Entry) -> Pick:
        if entry[2] not in made:
            made[entry[2]] = _pick(pool, entry[2], request, entry[3], entry[4])
        return made[entry[2]]

    picks: list[Pick] = []
    per_episode: dict[int, int] = {}
    per_show: dict[int, int] = {}
    per_topic: dict[str, int] = {}

    shows = {pool.items[entry[2]].podcast_id for entry in remaining}
    topics = {entry[5] for entry in remaining}

    def effective(entry: Entry) -> float:
        penalty = SAME_SHOW_PENALTY * per_show.get(pool.items[entry[2]].podcast_id, 0)
        return -entry[0] - penalty - SAME_TOPIC_PENALTY * per_topic.get(entry[5], 0)

    def least_penalty() -> tuple[float, float]:
        """The show and topic penalties every remaining entry pays at least."""
        fewest_shown = 0 if len(per_show) < len(shows) else min(per_show.values())
        fewest_topic = 0 if len(per_topic) < len(topics) else min(per_topic.values())
        return SAME_SHOW_PENALTY * fewest_shown, SAME_TOPIC_PENALTY * fewest_topic

    while remaining and len(picks) < request.size:
        chosen = _matched_as_well(remaining, _most_effective(remaining, effective, least_penalty()))
        strongest = remaining[0]  # sorted by score, then id: the strongest comes first
        remaining.remove(chosen)
        best = pick_of(chosen)
        twin = next((p for p in picks if similarity(p.item.doc, best.item.doc) >= DUPLICATE), None)
        if twin is not None:
            if twin.item.episode_id != best.item.episode_id:
                twin.folded.append(best.item)
            losers.append(explain.repeats(best, picks.index(twin) + 1))
        elif per_episode.get(best.item.episode_id, 0) >= request.max_per_episode:
            losers.append(explain.episode_full(best, request.max_per_episode))
        else:
            if strongest is not chosen and strongest[5] != chosen[5]:
                best.turn = explain.took_turn(best, pick_of(strongest), per_topic)
            picks.append(best)
            per_episode[best.item.episode_id] = per_episode.get(best.item.episode_id, 0) + 1
            per_show[best.item.podcast_id] = per_show.get(best.item.podcast_id, 0) + 1
            per_topic[best.topic] = per_topic.get(best.topic, 0) + 1
    if picks:
        losers.extend(
            explain.weaker(
                pick_of(e),
                picks[-1],
                len(picks),
                per_show.get(pool.items[e[2]].podcast_id, 0),
                per_topic.get(e[5], 0),
            )
            for e in remaining[:3]
        )
    return picks


def _matched_as_well(remaining: list[Entry], chosen: Entry) -> Entry:
    """``chosen``, unless the strongest entry for its topic matches it clearly better: then
    that one (show variety only reorders comparable matches)."""
    strongest = next(entry for entry in remaining if entry[5] == chosen[5])
    return strongest if strongest[4] > chosen[4] + VARIETY_BAND else chosen


def _most_effective(
    remaining: list[Entry], effective: Callable[[Entry], float], least: tuple[float, float]
) -> Entry:
    """The first entry with the highest effective score (what ``max`` returns).

    ``remaining`` is sorted by score and every entry pays at least the ``least`` penalties,
    so once an entry's score minus those cannot beat the best so far, no later entry can.
    """
    best, best_value = remaining[0], effective(remaining[0])
    for entry in islice(remaining, 1, None):
        if -entry[0] - least[0] - least[1] <= best_value:
            break
        value = effective(entry)
        if value > best_value:
            best, best_value = entry, value
    return best
