"""Never a silent empty brief: for a topic nothing new matches, the closest things there are.

The closest recent items (with how close they are), an older episode that covers the topic
(from the full-text index), or a broader wording that does match this week.
"""

from __future__ import annotations

import logging
from datetime import UTC

from sqlmodel import Session, col, select

from bot.briefs.candidates import window_positions
from bot.briefs.pool import InsightPool
from bot.briefs.relevance import text_relevance
from bot.briefs.request import Ranking, RankRequest
from bot.briefs.wording import TopicTerms, topic_terms
from bot.briefs.words import phrase, read_words
from bot.core.errors import PodbriefError
from bot.core.models import Episode
from bot.search.retrieval import search_passages

log = logging.getLogger(__name__)

CLOSEST_SHOWN = 2
NOWHERE = (
    "No episode in the library discusses it yet: follow a show that covers it with "
    "`follow FEED_URL`."
)


def topic_notes(
    session: Session,
    pool: InsightPool,
    ranking: Ranking,
    request: RankRequest,
) -> list[str]:
    """One short paragraph per topic that got nothing new: what there is instead."""
    notes = []
    for topic, terms in request.topics.items():
        if ranking.matched_topics.get(topic):
            continue
        lines = [f"Nothing new on “{topic}” in the last {_days(request)} days."]
        lines += _closest(ranking, topic)
        key = ("notes", topic, request.window_start, request.window_end, request.visible)
        if key not in pool.matches:  # the same for every channel following the topic
            pool.matches[key] = (
                _older(session, topic, request),
                broader_wording(pool, terms, request),
            )
        older, broader = pool.matches[key]
        lines += older
        if broader:
            lines.append(f"Try a broader wording: `subscribe {broader}`.")
        if len(lines) == 1:  # nothing close, older or broader: say so, and what would help
            lines.append(NOWHERE)
        notes.append(" ".join(lines))
    return notes


def _days(request: RankRequest) -> int:
    return max(1, round((request.window_end - request.window_start).total_seconds() / 86400))


def _closest(ranking: Ranking, topic: str) -> list[str]:
    near = sorted(ranking.best_below.get(topic, []), key=lambda p: -p.relevance)
    shown, seen = [], set()
    for pick in near:
        if pick.item.episode_id in seen or pick.relevance <= 0.05:
            continue
        seen.add(pick.item.episode_id)
        text = pick.item.text if len(pick.item.text) <= 90 else pick.item.text[:87] + "…"
        shown.append(
            f"“{text}” ({pick.item.podcast} · {pick.item.episode}, {pick.relevance:.0%} match)"
        )
        if len(shown) >= CLOSEST_SHOWN:
            break
    return ["Closest this week: " + "; ".join(shown) + "."] if shown else []


def _older(session: Session, topic: str, request: RankRequest) -> list[str]:
    """An episode before the window whose transcript covers the topic (the full-text index)."""
    try:
        passages = search_passages(session, topic, limit=10)
    except PodbriefError as exc:  # the index is optional for this note
        log.info("no older-episode suggestion for %r: %s", topic, exc)
        return []
    ids = [p.episode_id for p in passages]
    if not ids:
        return []
    rows = session.exec(
        select(Episode.id, Episode.published_at, Episode.podcast_id).where(col(Episode.id).in_(ids))
    ).all()
    dates = {
        episode_id: published
        for episode_id, published, podcast_id in rows
        if request.visible is None or podcast_id in request.visible
    }
    terms = request.topics[topic]
    for passage in passages:
        published = dates.get(passage.episode_id)
        if published is None:
            continue
        published = published if published.tzinfo else published.replace(tzinfo=UTC)
        if published < request.window_start and _names(terms, passage.text):
            return [
                f"An older episode covers it: {passage.podcast} · {passage.episode} "
                f"({published.date().isoformat()})."
            ]
    return []


def _names(terms: TopicTerms, text: str) -> bool:
    value, _ = terms.match(read_words(text))
    return value >= 0.5


def broader_wording(pool: InsightPool, terms: TopicTerms, request: RankRequest) -> str | None:
    """A shorter wording of the topic that matches recent insights, if there is one."""
    recent = window_positions(pool, request)
    options = []
    if terms.head and len(terms.head) < len(phrase(terms.topic)):
        options.append(" ".join(terms.head))
    options += [t.label for t in terms.terms if t.source == "part"]
    for option in options:
        found = text_relevance(pool, topic_terms(option, request.profiles))
        if sum(1 for n in found if n in recent) >= 2:
            return option
    return None
