"""Which episodes a brief's topics are matched against, and each topic's terms over them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from bot.briefs.pool import InsightPool, load_pool
from bot.briefs.profile_loading import load_profiles
from bot.briefs.profiles import ProfileIndex
from bot.briefs.wording import TopicTerms, topic_terms
from bot.core.models import Podcast

PROFILE_MARGIN = timedelta(days=1)  # profiles span a little more than one window: shared by all


def window_profiles(
    session: Session, local_date: date, days: int, pool: InsightPool | None = None
) -> ProfileIndex:
    """Profiles of every episode with insights from a day before the window to a day after.

    Rounded to whole UTC days so channels in every time zone share one index.
    """
    pool = pool or load_pool(session)
    end = datetime.combine(local_date + timedelta(days=1), time.min, tzinfo=UTC) + PROFILE_MARGIN
    start = end - timedelta(days=days) - 2 * PROFILE_MARGIN
    categories = {
        podcast_id: list(found)
        for podcast_id, found in session.exec(select(Podcast.id, Podcast.categories))
        if found
    }
    episodes = _episodes_between(pool, start, end)
    return load_profiles(session, episodes, stamp=pool.stamp, categories=categories)


def _episodes_between(pool: InsightPool, start: datetime, end: datetime) -> frozenset[int]:
    key = ("episodes", start, end)
    if key not in pool.matches:
        pool.matches[key] = frozenset(i.episode_id for i in pool.items if start <= i.at < end)
    return pool.matches[key]


def terms_for(profiles: ProfileIndex, topic: str) -> TopicTerms:
    """The topic's terms over this corpus, with the related words it teaches (cached)."""
    cache = profiles.topics
    if topic not in cache:
        terms = topic_terms(topic, profiles)
        terms.terms += [t for t in profiles.learned_terms(terms) if t.words not in terms.words]
        cache[topic] = terms
    return cache[topic]
