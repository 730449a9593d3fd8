"""Never a silent empty brief: the closest items, an older episode, a broader wording."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from bot.briefs.compose import compose_topic_brief
from bot.core.config import Settings
from bot.core.services import Services
from tests.briefs.devset import DAY
from tests.fakes.insights_data import seed_episode, seed_insight, seed_podcast


def services_for(engine) -> Services:
    return Services(settings=Settings(_env_file=None), engine=engine)


def test_nothing_new_gets_the_closest_items_and_a_broader_wording(any_engine):
    with Session(any_engine, expire_on_commit=False) as session:
        show = seed_podcast(session, "Systems Weekly")
        for n, text in enumerate(
            [
                "Rust compile times are the price small teams pay for memory safety.",
                "Rust made the parser four times faster once the team learned the borrow checker.",
            ]
        ):
            seed_insight(session, seed_episode(session, show, f"Episode {n}"), text)
        session.commit()
        brief = compose_topic_brief(
            services_for(any_engine), session, ["Rust linters"], date(2026, 11, 30)
        )
    assert brief.items == []
    reply = brief.empty_reason
    assert reply.startswith("Nothing new on “Rust linters”")
    assert "Closest this week:" in reply and "% match" in reply and "Rust compile times" in reply
    assert "Try a broader wording: `subscribe rust`." in reply


def test_nothing_new_points_at_an_older_episode_that_covers_it(devset_world):
    engine, _ = devset_world
    with Session(engine) as session:
        later = DAY + timedelta(days=30)
        brief = compose_topic_brief(services_for(engine), session, ["Kubernetes"], later)
        session.rollback()
    assert brief.items == []
    assert "An older episode covers it: Ship It!" in brief.empty_reason or (
        "An older episode covers it: The Changelog" in brief.empty_reason
    )
