"""The extractive insight engine, its hygiene, storing results and reading summaries back."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from bot.core.config import Settings
from bot.core.errors import NotFound
from bot.core.models import Delivery, DeliveryItem, EpisodeSummary, Insight
from bot.core.ports import EpisodeContext, Extraction
from bot.core.values import Segment
from bot.insights.extractive import ExtractiveEngine, build_insight_engine, store_extraction
from bot.insights.summaries import get_summary
from bot.text.sentences import clean_wording
from tests.fakes.insights_data import dialogue_segments, seed_channel, seed_episode, seed_podcast

FILLER_RE = re.compile(r"\b(?:um+|uh+|erm|you know)\b|\b(\w+) \1\b", re.I)
BANTER_RE = re.compile(
    r"\bwelcome (?:to|back)\b|thanks for (?:having|listening)|promo code|see you next|"
    r"sponsored by|brought to you by",
    re.I,
)


def extract(segments: list[Segment], **context) -> Extraction:
    engine = ExtractiveEngine(Settings(_env_file=None))
    return engine.extract(
        EpisodeContext(1, "The Inference Hour", "Open weights", **context), segments
    )


def hygiene_problems(extraction: Extraction, segments: list[Segment]) -> list[str]:
    """Every insight: clean claim, 80–400 chars, verbatim quote, start inside the episode."""
    transcript = " ".join(" ".join(s.text.split()) for s in segments if s.text.strip())
    last_end = max(s.end for s in segments)
    checks = {
        "length": lambda i: 80 <= len(i.text) <= 400,
        "question": lambda i: "?" not in i.text,
        "filler": lambda i: not FILLER_RE.search(i.text),
        "sentence": lambda i: i.text[0].isupper() and i.text[-1] in ".!",
        "verbatim quote": lambda i: i.quote in transcript,
        "start": lambda i: 0 <= i.start <= last_end,
        "banter": lambda i: not BANTER_RE.search(i.text),
    }
    return [
        f"{name}: {insight.text}"
        for insight in extraction.insights
        for name, ok in checks.items()
        if not ok(insight)
    ]


def assert_hygienic(extraction: Extraction, segments: list[Segment]) -> None:
    problems = hygiene_problems(extraction, segments)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("speakers", [True, False])
def test_dialogue_gives_clean_claims_with_and_without_speakers(speakers):
    segments = dialogue_segments(speakers=speakers)
    extraction = extract(segments)
    assert_hygienic(extraction, segments)
    texts = " ".join(i.text for i in extraction.insights)
    assert "inference bill dropped by ninety percent" in texts
    assert "DeepSeek" in texts
    assert all(i.topics for i in extraction.insights)
    if speakers:
        assert {i.speaker for i in extraction.insights} <= {"Ann", "Dana"}
        assert extraction.summary.guests == ["Dana"]


def test_insight_count_follows_setting_on_a_long_episode():
    segments = dialogue_segments(repeat=30)  # ~1.5 hours of (repetitive) talk
    engine = ExtractiveEngine(Settings(_env_file=None, insights_per_episode=4))
    extraction = engine.extract(EpisodeContext(1, "Pod", "Long"), segments)
    assert 1 <= len(extraction.insights) <= 4
    texts = [i.text for i in extraction.insights]
    assert len(set(texts)) == len(texts)  # the same idea said twice is kept once


def test_cleaning_removes_disfluencies_without_changing_meaning():
    assert clean_wording("Um, so the the model is, you know, cheaper.") == "The model is cheaper."
    assert clean_wording("I- I think th- the cost dropped.") == "I think the cost dropped."
    assert clean_wording("It looks like Python, uh, to users.") == "It looks like Python, to users."


def test_summary_uses_chapters_when_the_feed_has_them():
    chapters = [{"start": 0.0, "title": "Intro"}, {"start": 60.0, "title": "Why open models"}]
    summary = extract(dialogue_segments(), chapters=chapters).summary
    assert [(p.text, p.start) for p in summary.key_points] == [
        ("Intro", 0.0),
        ("Why open models", 60.0),
    ]
    assert "Open weights" in summary.summary and summary.topics


def test_summary_without_chapters_has_timed_key_points():
    summary = extract(dialogue_segments()).summary
    assert summary.key_points and all(p.start > 0 for p in summary.key_points)


def test_empty_transcript_gives_no_insights():
    extraction = extract([Segment(0, 1, None, " ")])
    assert extraction.insights == [] and "no transcript" in extraction.summary.summary


def test_build_insight_engine_is_extractive_offline(settings):
    assert build_insight_engine(settings).name == "extractive"


def test_store_extraction_is_idempotent_and_keeps_delivered_rows(any_engine):
    with Session(any_engine, expire_on_commit=False) as session:
        episode = seed_episode(session, seed_podcast(session, "The Inference Hour"), "Open weights")
        extraction = extract(dialogue_segments())
        store_extraction(session, episode, extraction)
        first = session.exec(select(Insight).order_by(Insight.id)).all()
        channel = seed_channel(session, "C1", ["open-source AI"])
        delivery = Delivery(channel_id=channel.id, local_date=first[0].created_at.date())
        session.add(delivery)
        session.flush()
        session.add(
            DeliveryItem(
                delivery_id=delivery.id, channel_id=channel.id, insight_id=first[0].id, rank=1
            )
        )
        session.commit()

        store_extraction(session, episode, extraction)
        session.commit()
        again = session.exec(select(Insight).order_by(Insight.id)).all()
        assert sorted(i.text for i in again) == sorted(i.text for i in first)
        assert first[0].id in {i.id for i in again}
        assert len(session.exec(select(EpisodeSummary)).all()) == 1


def test_get_summary_reads_back_and_reports_missing(any_engine):
    with Session(any_engine, expire_on_commit=False) as session:
        episode = seed_episode(session, seed_podcast(session, "The Inference Hour"), "Open weights")
        with pytest.raises(NotFound, match="no summary yet"):
            get_summary(session, episode.id)
        with pytest.raises(NotFound, match="No episode"):
            get_summary(session, 999)
        store_extraction(session, episode, extract(dialogue_segments()))
        view = get_summary(session, episode.id).to_json()
    assert view["episode_id"] == episode.id and view["title"] == "Open weights"
    assert set(view) >= {"summary", "key_points", "topics"}
    assert all(set(p) == {"text", "start"} for p in view["key_points"])
