"""Topic-conditioned insights: a claim about the topic from an episode that covers it."""

from __future__ import annotations

from sqlmodel import Session, func, select

from bot.briefs.compose import compose_topic_brief
from bot.briefs.coverage import terms_for, window_profiles
from bot.briefs.topical import CLAIM_MATCH
from bot.briefs.words import read_words
from bot.core.config import Settings
from bot.core.models import Insight
from bot.core.services import Services
from tests.briefs.devset import DAY


def test_a_covered_topic_gets_a_stored_claim_about_it_once(devset_world):
    engine, ids = devset_world
    services = Services(settings=Settings(_env_file=None), engine=engine)
    with Session(engine) as session:
        before = session.exec(select(func.max(Insight.id))).one()
    for _ in range(2):  # the second brief finds the stored claim: nothing is stored twice
        with Session(engine) as session:
            brief = compose_topic_brief(services, session, ["Azure"], DAY)
            session.commit()
    with Session(engine) as session:
        added = session.exec(select(Insight).where(Insight.id > before)).all()
        terms = terms_for(window_profiles(session, DAY, 7), "Azure")
    # Ship It! with the AKS team: none of its stored lines names Azure; now one does
    assert [row.episode_id for row in added].count(ids["shipit__ship-it-68"]) == 1
    assert all(row.engine == "extractive" and row.topics == ["Azure"] for row in added)
    assert all(terms.match(read_words(row.text))[0] >= CLAIM_MATCH for row in added)
    assert any(item.insight_id in {row.id for row in added} for item in brief.items)


def test_no_claim_is_stored_for_a_topic_no_episode_covers(devset_world):
    engine, _ = devset_world
    services = Services(settings=Settings(_env_file=None), engine=engine)
    with Session(engine) as session:
        before = session.exec(select(func.count(Insight.id))).one()
        compose_topic_brief(services, session, ["knitting patterns"], DAY)
        assert session.exec(select(func.count(Insight.id))).one() == before
