"""Our own test data for insights and ranking: a spoken dialogue and a database seeder."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from bot.core.models import Channel, Episode, Insight, Podcast, Subscription
from bot.core.values import Segment

# A made-up conversation with the things extraction must cope with: greetings, a sponsor read,
# questions, banter, fillers, stutters, repeated words and an outro.
DIALOGUE: list[tuple[str, str]] = [
    ("Ann", "Hey everyone, welcome back to The Inference Hour! I'm your host Ann."),
    ("Ann", "Today I'm joined by Dana Ortiz. Thanks for having me, says Dana, great to be here."),
    ("Dana", "Thanks for having me, Ann, it's great to be here."),
    ("Ann", "This episode is brought to you by CloudCo, use the promo code HOUR for a discount."),
    ("Ann", "So, Dana, why did your team stop renting frontier APIs?"),
    (
        "Dana",
        "Um, so the the main reason is cost. We took the open model, tuned it on our support "
        "tickets, and our inference bill dropped by ninety percent in two months.",
    ),
    (
        "Dana",
        "Open-weight models from DeepSeek and Mistral are now good enough for most support "
        "workloads, and you know, fine-tuning them takes a single GPU for an afternoon.",
    ),
    ("Ann", "Wow, that's amazing. Ha ha."),
    (
        "Dana",
        "Uh, the biggest risk with a closed API is platform risk, because the vendor can "
        "change prices or deprecate the model your whole product depends on.",
    ),
    ("Ann", "Right."),
    (
        "Ann",
        "I- I think the developer tools story matters too: a fast linter and a good debugger "
        "save every engineer on the team hours each week.",
    ),
    (
        "Dana",
        "Evaluation is the part most teams skip, and a small test set of real customer "
        "questions catches more regressions than any public benchmark does.",
    ),
    ("Ann", "What would you tell a founder starting today?"),
    (
        "Dana",
        "Start with a frontier API to learn what users want, then move the high-volume "
        "requests to a tuned open model once the prompts stop changing every week.",
    ),
    (
        "Dana",
        "Quantized models run on a laptop now, so privacy-sensitive customers can keep "
        "their data on their own hardware without losing much accuracy.",
    ),
    ("Ann", "That's all for this week, thanks for listening and see you next time!"),
]


def dialogue_segments(*, speakers: bool = True, repeat: int = 1) -> list[Segment]:
    """The dialogue as segments, 12 s per line, optionally without speaker labels."""
    segments = []
    for n in range(repeat):
        for i, (speaker, text) in enumerate(DIALOGUE):
            start = (n * len(DIALOGUE) + i) * 12.0
            segments.append(Segment(start, start + 11.5, speaker if speakers else None, text))
    return segments


def seed_podcast(session: Session, title: str) -> Podcast:
    podcast = Podcast(
        url=f"https://example.test/{title.lower().replace(' ', '-')}.xml", title=title
    )
    session.add(podcast)
    session.flush()
    return podcast


def seed_episode(
    session: Session, podcast: Podcast, title: str, published: datetime | None = None
) -> Episode:
    episode = Episode(
        podcast_id=podcast.id,
        identity=f"title:{title}",
        title=title,
        audio_url=f"https://cdn.example.test/{podcast.id}/{abs(hash(title)) % 10**6}.mp3",
        link="https://example.test/episode",
        published_at=published or datetime(2026, 11, 30, 6, tzinfo=UTC),
        status="done",
    )
    session.add(episode)
    session.flush()
    return episode


def seed_insight(
    session: Session,
    episode: Episode,
    text: str,
    *,
    topics: list[str] | None = None,
    score: float = 0.6,
    start: float = 60.0,
) -> Insight:
    insight = Insight(
        episode_id=episode.id,
        text=text,
        quote=text,
        speaker="Dana",
        start=start,
        end=start + 20,
        topics=topics or [],
        score=score,
    )
    session.add(insight)
    session.flush()
    return insight


def seed_channel(session: Session, ref: str, topics: list[str]) -> Channel:
    channel = Channel(platform="console", channel_ref=ref, name=ref)
    session.add(channel)
    session.flush()
    for topic in topics:
        session.add(Subscription(channel_id=channel.id, topic=topic))
    session.flush()
    return channel
