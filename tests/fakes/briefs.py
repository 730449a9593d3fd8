"""Seed data and a stand-in brief composer for delivery tests (our own text, not the corpus)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from bot.core.models import Channel, DeliveryItem, Episode, Insight, Podcast
from bot.core.services import Services
from bot.core.values import Brief, BriefItem


def seed_insights(session: Session, count: int = 8) -> list[int]:
    """A podcast, an episode and ``count`` insights; returns the insight ids."""
    podcast = Podcast(url="https://example.org/show.xml", title="Build Weekly")
    session.add(podcast)
    session.flush()
    episode = Episode(podcast_id=podcast.id, identity="guid:1", title="Shipping", status="done")
    session.add(episode)
    session.flush()
    insights = [
        Insight(
            episode_id=episode.id,
            text=f"Teams that ship daily fix incidents faster, point {n}.",
            quote=f"we ship every day and it saves us, number {n}",
            speaker="Ann",
            start=60.0 * n,
            topics=["devops"],
            score=1.0 - n / 100,
        )
        for n in range(count)
    ]
    session.add_all(insights)
    session.commit()
    return [i.id for i in insights]


def add_channels(
    session: Session, platform: str, count: int, prefix: str | None = None, **fields
) -> list[Channel]:
    """``count`` active channels on ``platform`` with refs C0000, C0001 … (or ``prefix``…)."""
    prefix = prefix or {"slack": "C", "discord": "9"}.get(platform, "K")
    channels = [
        Channel(platform=platform, channel_ref=f"{prefix}{n:04d}", name=f"#{n}", **fields)
        for n in range(count)
    ]
    session.add_all(channels)
    session.commit()
    return channels


def compose_top(services: Services, session: Session, channel: Channel, day: date) -> Brief:
    """The best three insights this channel has not been sent yet."""
    sent = set(
        session.exec(select(DeliveryItem.insight_id).where(DeliveryItem.channel_id == channel.id))
    )
    rows = session.exec(select(Insight).order_by(Insight.score.desc())).all()
    fresh = [row for row in rows if row.id not in sent][:3]
    items = [
        BriefItem(
            rank=n,
            insight_id=row.id,
            text=row.text,
            quote=row.quote,
            speaker=row.speaker,
            podcast="Build Weekly",
            episode="Shipping",
            episode_id=row.episode_id,
            start=row.start,
            url=f"https://example.org/ep1.mp3#t={int(row.start)}",
            topics=list(row.topics),
            score=row.score,
        )
        for n, row in enumerate(fresh, start=1)
    ]
    return Brief(
        date=day, topics=["devops"], items=items, empty_reason=None if items else "Nothing new."
    )


def compose_empty(services: Services, session: Session, channel: Channel, day: date) -> Brief:
    """A day with nothing new."""
    return Brief(
        date=day, topics=["devops"], items=[], empty_reason="Nothing new for devops today."
    )
