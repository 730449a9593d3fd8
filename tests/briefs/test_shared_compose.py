"""Composing many channels' briefs at once shares the day's work and changes no brief."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.briefs import candidates as candidates_module
from bot.briefs.compose import compose_brief, compose_briefs
from bot.briefs.ranking import _most_effective
from bot.core import db
from bot.core.config import Settings
from bot.core.models import (
    Channel,
    Delivery,
    DeliveryItem,
    Episode,
    Feedback,
    Insight,
    Podcast,
    Subscription,
)
from bot.core.services import Services

DAY = date(2026, 12, 1)
WORDS = {
    "open-source AI": ["open-weight models", "Llama", "fine-tuning", "open-source AI"],
    "developer tools": ["the linter", "the debugger", "developer tools", "the IDE"],
    "security": ["phishing", "a vulnerability", "encryption", "security audits"],
    "climate": ["heat pumps", "grid batteries", "solar panels", "the power grid"],
}
VERBS = ["cut the cost of", "replaced", "changed how teams use", "doubled the value of"]
# (channel ref, topics, options): overlapping topics, in both orders, and every kind of fact
CHANNELS = [
    ("both", ["open-source AI", "developer tools"], {}),
    ("both-reversed", ["developer tools", "open-source AI"], {}),
    ("tokyo", ["open-source AI"], {"timezone": "Asia/Tokyo"}),
    ("follows-a-show", ["security"], {"podcast": 2}),
    ("got-briefs-before", ["open-source AI"], {"history": True}),
    ("voted", ["developer tools", "security"], {"votes": True}),
    ("history-and-votes", ["open-source AI", "security"], {"history": True, "votes": True}),
    ("short-brief", ["security", "open-source AI"], {"size": 3}),
    ("workspace", ["developer tools"], {"team": "T1"}),
    ("nothing-matches", ["knitting patterns"], {}),
    ("no-topics", [], {}),
    ("again-both", ["open-source AI", "developer tools"], {}),
]


def _seed_world(engine: Engine) -> None:
    rng = random.Random(3)
    topics = list(WORDS)
    with Session(engine) as session:
        episodes = []
        for p in range(6):
            podcast = Podcast(url=f"https://shows.test/{p}.xml", title=f"Show {p}")
            session.add(podcast)
            session.flush()
            for e in range(6):
                hours = rng.randint(1, 240)
                episode = Episode(
                    podcast_id=podcast.id,
                    identity=f"{p}-{e}",
                    title=f"Episode {e} of show {p}",
                    audio_url=f"https://shows.test/{p}/{e}.mp3",
                    published_at=datetime(2026, 12, 1, 12, tzinfo=UTC) - timedelta(hours=hours),
                )
                session.add(episode)
                episodes.append(episode)
        session.flush()
        for _ in range(400):
            first, second = rng.sample(topics, 2)
            text = (
                f"{rng.choice(WORDS[first]).capitalize()} {rng.choice(VERBS)} "
                f"{rng.choice(WORDS[second])}, said the guest on episode {rng.randint(1, 9)}."
            )
            session.add(
                Insight(
                    episode_id=rng.choice(episodes).id,
                    text=text,
                    quote=text,
                    start=rng.uniform(0, 3000),
                    topics=[first] if rng.random() < 0.3 else [],
                    score=round(rng.random(), 3),
                )
            )
        session.flush()
        insight_ids = list(session.exec(select(Insight.id).order_by(Insight.id)))
        for ref, followed, options in CHANNELS:
            _seed_channel(session, rng, insight_ids, ref, followed, options)
        session.commit()


def _seed_channel(session, rng, insight_ids, ref, followed, options) -> None:
    channel = Channel(
        platform="slack" if options.get("team") else "console",
        team_id=options.get("team", ""),
        channel_ref=ref,
        timezone=options.get("timezone", "UTC"),
        brief_size=options.get("size", 5),
    )
    session.add(channel)
    session.flush()
    for topic in followed:
        session.add(Subscription(channel_id=channel.id, topic=topic))
    if options.get("podcast"):
        session.add(Subscription(channel_id=channel.id, podcast_id=options["podcast"]))
    if options.get("history"):
        for days_ago in (3, 1):
            sent = datetime(2026, 12, 1, 8, tzinfo=UTC) - timedelta(days=days_ago)
            delivery = Delivery(
                channel_id=channel.id, local_date=sent.date(), status="sent", sent_at=sent
            )
            session.add(delivery)
            session.flush()
            for rank, insight_id in enumerate(rng.sample(insight_ids, 8), start=1):
                session.add(
                    DeliveryItem(
                        delivery_id=delivery.id,
                        channel_id=channel.id,
                        insight_id=insight_id,
                        rank=rank,
                    )
                )
    if options.get("votes"):
        for insight_id in rng.sample(insight_ids, 6):
            vote = Feedback(channel_id=channel.id, insight_id=insight_id, value=rng.choice((1, -1)))
            session.add(vote)
    session.flush()


@pytest.fixture
def world(tmp_path) -> str:
    """The URL of a database holding six shows, 400 insights and the channels above."""
    url = f"sqlite:///{tmp_path / 'world.db'}"
    engine = db.create_db_engine(url)
    db.upgrade(engine)
    _seed_world(engine)
    engine.dispose()
    return url


def _composed(url: str, compose) -> dict[str, object]:
    """Channel ref → brief, through a fresh engine (so no pool or topic cache is inherited)."""
    engine = db.create_db_engine(url)
    services = Services(settings=Settings(_env_file=None), engine=engine)
    try:
        with Session(engine) as session:
            channels = session.exec(select(Channel).order_by(Channel.id)).all()
            briefs = compose(services, session, channels)
            return {channel.channel_ref: briefs[channel.id] for channel in channels}
    finally:
        engine.dispose()


def _shared(services, session, channels):
    return compose_briefs(services, session, channels, DAY)


def _one_by_one(services, session, channels):
    return {c.id: compose_brief(services, session, c, DAY) for c in channels}


def test_each_shared_brief_is_the_brief_composed_for_that_channel_alone(world):
    shared = _composed(world, _shared)
    alone = _composed(world, _one_by_one)
    assert list(shared) == [ref for ref, _, _ in CHANNELS]
    for ref in shared:
        # the whole value: items in order with their related items, notes, explanation
        assert shared[ref] == alone[ref], ref
    # the comparison covers every path: related items, notes, novelty, followed shows, sizes
    assert any(item.related for brief in shared.values() for item in brief.items)
    assert shared["nothing-matches"].notes and not shared["nothing-matches"].items
    assert shared["no-topics"].empty_reason and not shared["no-topics"].topics
    assert any("already delivered" in line for line in shared["got-briefs-before"].explanation)
    assert shared["follows-a-show"].topics == ["security", "Show 1"]
    assert len(shared["short-brief"].items) == 3


def test_a_brief_is_the_same_when_composed_again_after_the_shared_run(world):
    engine = db.create_db_engine(world)
    services = Services(settings=Settings(_env_file=None), engine=engine)
    with Session(engine) as session:
        channels = session.exec(select(Channel).order_by(Channel.id)).all()
        shared = compose_briefs(services, session, channels, DAY)
        again = {c.id: compose_brief(services, session, c, DAY) for c in reversed(channels)}
    engine.dispose()
    assert shared == again


def test_a_topic_followed_by_many_channels_is_scored_once(world, monkeypatch):
    calls = []
    real = candidates_module._candidates

    def counting(pool, request):
        calls.append(tuple(request.topics))
        return real(pool, request)

    monkeypatch.setattr(candidates_module, "_candidates", counting)
    briefs = _composed(world, _shared)
    # "both" and "again-both" share one computation; every other topic list is its own
    assert calls.count(("open-source AI", "developer tools")) == 1
    assert briefs["both"] == briefs["again-both"]


def test_channel_facts_are_read_in_as_many_queries_for_many_channels_as_for_few(world):
    engine = db.create_db_engine(world)
    services = Services(settings=Settings(_env_file=None), engine=engine)
    with Session(engine) as session:
        channels = session.exec(select(Channel).order_by(Channel.id)).all()
        compose_briefs(services, session, channels, DAY)  # loads the pool and profiles
        few = _queries(engine, lambda: compose_briefs(services, session, channels[2:4], DAY))
        many = _queries(engine, lambda: compose_briefs(services, session, channels[:8], DAY))
        one_by_one = _queries(
            engine, lambda: [compose_brief(services, session, c, DAY) for c in channels[:8]]
        )
    engine.dispose()
    assert many == few
    assert one_by_one > 4 * many


def _queries(engine: Engine, run) -> int:
    seen: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


@pytest.mark.parametrize("seed", range(40))
def test_the_early_stopping_search_picks_what_max_picks(seed):
    rng = random.Random(seed)
    scores = sorted((round(rng.uniform(0.2, 1.0), 2) for _ in range(60)), reverse=True)
    entries = [(-s, n, n, "", 0.0, rng.choice("abc"), s) for n, s in enumerate(scores)]
    shows = {entry[1]: rng.randrange(4) for entry in entries}
    per_show = {show: rng.randrange(3) for show in range(4)}
    per_topic = {topic: rng.randrange(3) for topic in "abc"}

    def effective(entry) -> float:
        return -entry[0] - 0.08 * per_show[shows[entry[1]]] - 0.1 * per_topic[entry[5]]

    least = (0.08 * min(per_show.values()), 0.1 * min(per_topic.values()))
    assert _most_effective(entries, effective, least) is max(entries, key=effective)


def test_briefs_stay_the_same_when_the_candidate_cache_keeps_one_topic_list(world, monkeypatch):
    alone = _composed(world, _one_by_one)
    monkeypatch.setattr(candidates_module, "KEPT_TOPIC_LISTS", 1)
    shared = _composed(world, _shared)
    assert shared == alone


class DownEmbedder:
    """An embeddings endpoint that is down: every call fails after its timeout."""

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, texts):
        from bot.core.errors import ServiceUnavailable

        self.calls += 1
        raise ServiceUnavailable("embeddings endpoint timed out")


def test_an_embedder_that_is_down_is_asked_once_for_the_whole_batch(world):
    engine = db.create_db_engine(world)
    embedder = DownEmbedder()
    services = Services(settings=Settings(_env_file=None), engine=engine, embedder=embedder)
    with Session(engine) as session:
        channels = session.exec(select(Channel).order_by(Channel.id)).all()
        briefs = compose_briefs(services, session, channels, DAY)
    engine.dispose()
    assert embedder.calls == 1
    assert any(brief.items for brief in briefs.values())  # words alone still match
