"""Topic-conditioned insights: the best claim about a subscribed topic from an episode that
covers it, when none of the episode's stored insights is about that topic.

An episode of Go Time is about Go, but its generic best lines may never say "Go"; a Go
subscriber should read what the episode says about Go. The claim rules are the insight
engine's (``bot.insights.claims``): the same gate, sponsor reads and intros left out. The
claim is stored as an ordinary extractive Insight carrying the topic, once per episode.
"""

from __future__ import annotations

import logging

from sqlmodel import Session, col, select

from bot.briefs.pool import InsightPool
from bot.briefs.profiles import ProfileIndex
from bot.briefs.wording import TopicTerms
from bot.briefs.words import read_words
from bot.core.models import Insight
from bot.core.moments import UNTIMED
from bot.insights import weights
from bot.insights.claims import Claim, candidate_claims
from bot.insights.faults import insight_faults
from bot.insights.features import claim_features, episode_view
from bot.insights.non_content import non_content
from bot.text.keyphrases import keyphrases
from bot.text.sentences import Sentence, split_sentences
from bot.transcripts.store import load_segments

log = logging.getLogger(__name__)

STRONG_EPISODE = 0.6  # an episode covering the topic this well gets a claim about it
MAX_NEW_PER_TOPIC = 6  # extraction per brief is bounded: a new topic over a big store
CLAIM_MATCH = 0.6  # a claim (or a stored insight) is about the topic from this relevance
TOPIC_WEIGHT = 0.3  # how much naming the topic strongly counts against reading well


def ensure_topic_insights(
    session: Session, pool: InsightPool, profiles: ProfileIndex, topics: list[TopicTerms]
) -> int:
    """Store a claim about each topic for every strongly matching episode that lacks one.

    Returns how many insights were added (flushed, committed by the caller's transaction).
    """
    added = 0
    for terms in topics:
        budget = MAX_NEW_PER_TOPIC
        for episode_id, match in sorted(profiles.matches(terms).items(), key=lambda p: -p[1].score):
            if match.score < STRONG_EPISODE or budget <= 0:
                break
            key = (episode_id, terms.topic.casefold())
            if key in profiles.tried or _carries(pool, episode_id, terms):
                continue
            profiles.tried.add(key)
            budget -= 1
            insight = topic_insight(session, episode_id, terms)
            if insight is not None:
                session.add(insight)
                added += 1
    if added:
        session.flush()
        log.info("stored %d topic-conditioned insights", added)
    return added


def _carries(pool: InsightPool, episode_id: int, terms: TopicTerms) -> bool:
    """Whether a stored insight of the episode already names the topic in strong terms."""
    for position in pool.by_episode.get(episode_id, ()):
        item = pool.items[position]
        if terms.topic.casefold() in (t.casefold() for t in item.topics):
            return True
        if terms.match(item.words)[0] >= CLAIM_MATCH:
            return True
    return False


def topic_insight(session: Session, episode_id: int, terms: TopicTerms) -> Insight | None:
    """The episode's best claim naming the topic, as an unsaved Insight (None if none, or if
    the same claim is already stored)."""
    segments = load_segments(session, episode_id)
    sentences = split_sentences(segments)
    claims = candidate_claims(sentences, skip=frozenset(non_content(sentences)))
    best = _best_claim([c for c in claims if not insight_faults(c)], sentences, terms)
    if best is None:
        return None
    claim, score = best
    stored = select(Insight.id).where(Insight.episode_id == episode_id, Insight.text == claim.text)
    if session.exec(stored).first() is not None:
        return None
    timed = any(s.start > 0 or s.end > 0 for s in segments)
    return Insight(
        episode_id=episode_id,
        text=claim.text,
        quote=claim.quote,
        speaker=claim.speaker,
        start=round(claim.start, 3) if timed else UNTIMED,
        end=round(claim.end, 3) if timed else UNTIMED,
        topics=[terms.topic],
        score=round(score, 4),
        engine="extractive",
    )


def _best_claim(
    claims: list[Claim], sentences: list[Sentence], terms: TopicTerms
) -> tuple[Claim, float] | None:
    """The claim that names the topic most strongly and reads most like a takeaway.

    Its score is the insight engine's (``bot.insights.weights``) plus how strongly it names
    the topic: it is stored for this topic's readers, against lines that never name it.
    """
    view = episode_view(sentences, keyphrases([s.text for s in sentences], 15), set(), set())
    best: tuple[Claim, float] | None = None
    for claim in claims:
        value, _ = terms.match(read_words(claim.text))
        if value < CLAIM_MATCH:
            continue
        score = weights.score(claim_features(claim, view)) + TOPIC_WEIGHT * value
        if best is None or score > best[1]:
            best = (claim, score)
    if best is None:
        return None
    return best[0], max(0.0, min(1.0, best[1]))


def topic_insight_ids(session: Session, episode_ids: list[int], topic: str) -> list[int]:
    """Stored insights of ``episode_ids`` filed under ``topic`` (for tests and reports)."""
    rows = session.exec(
        select(Insight.id, Insight.topics).where(col(Insight.episode_id).in_(episode_ids))
    )
    wanted = topic.casefold()
    return [i for i, topics in rows if wanted in (t.casefold() for t in topics or [])]
