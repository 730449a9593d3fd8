"""A small library of episodes written for these tests (our own text, not the corpus)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from bot.core.models import EpisodeSummary, Insight, Podcast
from bot.core.values import Segment
from bot.search.index import index_episode
from tests.fakes.corpus_episodes import add_episode

FILLER = (
    "We talked about the weather, the weekend, a new coffee machine in the office, and how the "
    "team lunch went on Friday before the release."
)

GARDEN = [
    Segment(0, 20, "Ann", "Welcome to the garden hour. " + FILLER),
    Segment(20, 40, "Ann", "Today we compare raised beds with planting straight in the ground."),
    Segment(40, 60, "Bob", "Tomatoes need six hours of sun and deep watering twice a week."),
    Segment(60, 80, "Ann", "Slugs love lettuce, so copper tape around the beds keeps them out."),
]
CARS = [
    Segment(0, 30, "Cy", "This is the motoring show. " + FILLER),
    Segment(30, 60, "Cy", "My car needed new brake pads after forty thousand kilometres."),
    Segment(60, 90, "Di", "Electric models regenerate energy when braking, so pads wear slowly."),
]


def build_library(session: Session) -> dict[str, int]:
    """Two podcasts, three episodes (one with a summary and insights), indexed."""
    garden = Podcast(url="https://garden.example/feed.xml", title="Garden Hour")
    motoring = Podcast(url="https://motoring.example/feed.xml", title="Motoring Weekly")
    session.add_all([garden, motoring])
    session.flush()
    spring = add_episode(
        session,
        garden,
        "Spring beds",
        GARDEN,
        audio_url="https://cdn.example/garden/spring.mp3",
        published_at=datetime(2026, 3, 1, 9, tzinfo=UTC),
    )
    autumn = add_episode(
        session,
        garden,
        "Autumn leaves",
        [Segment(0, 30, "Ann", "Rake the leaves into a compost heap; they rot down in a year.")],
        published_at=datetime(2026, 10, 1, 9, tzinfo=UTC),
    )
    autumn.link = "https://garden.example/autumn"
    brakes = add_episode(
        session,
        motoring,
        "Brakes",
        CARS,
        audio_url="https://cdn.example/motoring/brakes.mp3",
        published_at=datetime(2026, 5, 1, 9, tzinfo=UTC),
    )
    session.add(
        EpisodeSummary(
            episode_id=spring.id,
            summary="A beginner's guide to vegetable beds: sunlight, watering and pest control.",
            key_points=[{"text": "Copper tape deters slugs", "start": 60.0}],
            topics=["gardening"],
        )
    )
    session.add(
        Insight(
            episode_id=spring.id,
            text="Copper tape is a cheap, chemical-free slug barrier.",
            quote="copper tape around the beds keeps them out",
            speaker="Ann",
            start=60,
            end=80,
        )
    )
    session.flush()
    for episode in (spring, autumn, brakes):
        index_episode(session, episode.id)
    session.commit()
    return {"spring": spring.id, "autumn": autumn.id, "brakes": brakes.id}
