"""Topic-conditioned insights: a claim about the topic from an episode that covers it."""

from __future__ import annotations

from sqlmodel import Session, func, select

from bot.briefs.compose import compose_brief, compose_briefs, compose_topic_brief
from bot.briefs.coverage import terms_for, window_profiles
from bot.briefs.topical import CLAIM_MATCH
from bot.briefs.words import read_words
from bot.core import db
from bot.core.config import Settings
from bot.core.models import Channel, Insight
from bot.core.services import Services
from tests.briefs.devset import DAY
from tests.fakes.insights_data import seed_channel


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


def test_shared_composition_stores_topic_claims_as_briefs_composed_one_by_one_do(devset_world):
    engine, _ = devset_world
    url = engine.url.render_as_string(hide_password=False)
    follows = [["cloud", "Kubernetes"], ["Kubernetes"], ["Changelog"], ["cloud", "Changelog"]]
    with Session(engine) as session:
        for number, topics in enumerate(follows):
            seed_channel(session, f"topical-{number}", topics)
        session.commit()

    def composed(compose) -> tuple[list, int]:
        fresh = db.create_db_engine(url)  # no pool, profiles or tried topics inherited
        services = Services(settings=Settings(_env_file=None), engine=fresh)
        try:
            with Session(fresh) as session:
                query = select(Channel).where(Channel.channel_ref.startswith("topical-"))
                channels = session.exec(query.order_by(Channel.id)).all()
                before = session.exec(select(func.count(Insight.id))).one()
                briefs = compose(services, session, channels)
                stored = session.exec(select(func.count(Insight.id))).one() - before
                ordered = [briefs[channel.id] for channel in channels]
                session.rollback()
            return ordered, stored
        finally:
            fresh.dispose()

    shared, stored = composed(lambda s, session, chs: compose_briefs(s, session, chs, DAY))
    alone, stored_alone = composed(
        lambda s, session, chs: {c.id: compose_brief(s, session, c, DAY) for c in chs}
    )
    assert stored > 0 and stored == stored_alone  # "cloud" and "Changelog" needed claims
    assert shared == alone
