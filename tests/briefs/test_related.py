""" "Also said on": other shows first, on the topic, with the sentence and how it relates."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session

from bot.briefs.compose import compose_topic_brief
from bot.briefs.pool import PoolInsight
from bot.briefs.related import stance
from bot.briefs.words import read_words
from bot.core.config import Settings
from bot.core.services import Services
from bot.text.keyphrases import stem_set
from tests.fakes.insights_data import seed_episode, seed_insight, seed_podcast

DAY = date(2026, 11, 30)


def test_related_items_never_all_come_from_the_items_own_show(any_engine):
    with Session(any_engine, expire_on_commit=False) as session:
        home, other = seed_podcast(session, "Home Show"), seed_podcast(session, "Other Show")
        first = seed_episode(session, home, "Queues one")
        second = seed_episode(session, home, "Queues two")
        third = seed_episode(session, other, "Queues elsewhere")
        old = datetime(2026, 11, 29, tzinfo=UTC)
        seed_insight(
            session,
            first,
            "Postgres SKIP LOCKED makes a reliable job queue without running a broker.",
            topics=["job queue"],
            score=0.9,
        )
        for episode in (second, third):
            episode.published_at = old
            seed_insight(
                session,
                episode,
                "A job queue on Postgres with SKIP LOCKED beats running a separate broker.",
                topics=["job queue"],
            )
        session.commit()
        brief = compose_topic_brief(
            Services(settings=Settings(_env_file=None), engine=any_engine),
            session,
            ["job queue"],
            DAY,
        )
    top = brief.items[0]
    assert top.podcast == "Home Show" and top.related
    assert all(r.podcast == "Other Show" for r in top.related)
    related = top.related[0]
    assert "SKIP LOCKED" in related.text and related.episode == "Queues elsewhere"
    assert related.stance in {"agrees", "disagrees", "adds"}
    assert "stance" in brief.to_json()["items"][0]["related"][0]


def claim(text: str) -> PoolInsight:
    return PoolInsight(
        id=abs(hash(text)) % 10**6,
        episode_id=1,
        podcast_id=1,
        podcast="Show",
        episode="Episode",
        audio_url="",
        link="",
        at=datetime(2026, 11, 30, tzinfo=UTC),
        text=text,
        quote=text,
        speaker=None,
        start=0.0,
        topics=(),
        score=0.5,
        engine="extractive",
        doc=stem_set(text),
        embedding=None,
        words=read_words(text),
    )


def test_stance_marks_the_opposite_claim():
    said = claim("Rewriting the service in Rust made it faster and cheaper to run.")
    same = claim("Rewriting the service in Rust made it cheaper and faster to run.")
    opposite = claim("Rewriting the service in Rust did not make it faster or cheaper to run.")
    assert stance(said, same, 0.9) == "agrees"
    assert stance(said, opposite, 0.9) == "disagrees"
    assert stance(said, claim("Rust compile times are the price teams pay."), 0.3) == "adds"
