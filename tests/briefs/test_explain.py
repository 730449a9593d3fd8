"""`why` in plain words: the topic served and what matched, freshness, quality, the losers."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from bot.briefs.compose import compose_topic_brief
from bot.core.clock import utcnow
from bot.core.config import Settings
from bot.core.services import Services
from tests.fakes.insights_data import seed_episode, seed_insight, seed_podcast


def compose(engine, topics: list[str], day: date, **settings):
    with Session(engine, expire_on_commit=False) as session:
        services = Services(settings=Settings(_env_file=None, **settings), engine=engine)
        return compose_topic_brief(services, session, topics, day)


def test_picks_say_topic_words_freshness_and_quality_and_losers_say_why(any_engine):
    with Session(any_engine, expire_on_commit=False) as session:
        show, other = seed_podcast(session, "Queue Talk"), seed_podcast(session, "Other Talk")
        episode = seed_episode(session, show, "Queues all the way down")
        undated = seed_episode(session, other, "Undated")
        undated.published_at = None
        for n, text in enumerate(
            [
                "Postgres job queues with SKIP LOCKED handle two thousand jobs a second.",
                "A job queue needs idempotent workers, because every job runs twice eventually.",
                "Retry storms are why job queues want exponential backoff with jitter.",
            ]
        ):
            seed_insight(session, episode, text, score=0.7 - n * 0.05, start=60.0 * n)
        seed_insight(session, undated, "A Postgres job queue needs a dead-letter table early.")
        session.commit()
    brief = compose(any_engine, ["job queues"], utcnow().date())
    assert brief.items
    first = brief.items[0]
    assert first.why.startswith("for “job queues”: it says “job queue")
    assert "quality: a " in first.why and "of 1, as our editors rate claims" in first.why
    undated_items = [i for i in brief.items if i.episode == "Undated"]
    assert undated_items and "date unknown" in undated_items[0].why
    assert "freshness 0." not in " ".join(i.why for i in brief.items)
    assert any("same episode already twice" in line for line in brief.explanation)


def test_several_topics_take_turns_and_the_explanation_says_so(any_engine):
    with Session(any_engine, expire_on_commit=False) as session:
        show = seed_podcast(session, "Mixed Bag")
        for n in range(3):
            episode = seed_episode(session, show, f"Queues {n}")
            seed_insight(session, episode, f"Job queues on Postgres scale to {n + 5} workers.")
        heat = seed_episode(session, show, "Heat")
        seed_insight(session, heat, "Industrial heat pumps now reach two hundred degrees.")
        session.commit()
    brief = compose(any_engine, ["job queues", "heat pumps"], date(2026, 11, 30))
    assert any(i.text.startswith("Industrial heat pumps") for i in brief.items[:2])
    assert any(line.startswith("Topics take turns") for line in brief.explanation)
