"""Transcription policy, budget, restart-resume and the webhook, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from bot.core.config import Settings
from bot.core.errors import TranscriptionSkipped
from bot.core.models import Channel, Episode, Podcast, Subscription, Usage
from bot.core.services import Services
from bot.costs.spend import spend_lines
from bot.providers.assemblyai_transcriber import AssemblyAITranscriber
from bot.transcripts.store import load_segments
from bot.transcripts.transcription import handle_assemblyai_webhook, transcribe_episode
from tests.fakes.assemblyai_server import FakeAssemblyAI, turns_payload

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
AUDIO = "https://media.example.com/open-weights.mp3"


class FixedClock:
    def now(self) -> datetime:
        return NOW


class Crash(Exception):
    """The process dies while waiting for AssemblyAI."""


@pytest.fixture
def fake():
    server = FakeAssemblyAI(polls=1).start()
    server.results[AUDIO] = turns_payload([("A", 0.0, "Open weights change the economics.")])
    yield server
    server.stop()


def services_for(engine, fake, sleep=lambda _s: None, **overrides) -> Services:
    settings = Settings(
        _env_file=None, assemblyai_api_key="k", assemblyai_base_url=fake.url, **overrides
    )
    transcriber = AssemblyAITranscriber(settings, sleep=sleep)
    return Services(settings=settings, engine=engine, clock=FixedClock(), transcriber=transcriber)


def add_episode(engine, *, topic: str | None = "open weights", duration_s=1800.0) -> int:
    with Session(engine) as session:
        podcast = Podcast(url="https://feeds.example.com/inference.xml", title="Inference Hour")
        session.add(podcast)
        session.flush()
        episode = Episode(
            podcast_id=podcast.id,
            identity="guid:1",
            title="Open-weight models and your cloud bill",
            description="Why startups tune open models.",
            audio_url=AUDIO,
            duration_s=duration_s,
            status="pending",
        )
        session.add(episode)
        if topic:
            channel = Channel(platform="console", channel_ref="general")
            session.add(channel)
            session.flush()
            session.add(Subscription(channel_id=channel.id, topic=topic))
        session.commit()
        return episode.id


def run(services: Services, episode_id: int):
    with Session(services.engine, expire_on_commit=False) as session:
        episode = session.get(Episode, episode_id)
        segments = transcribe_episode(services, session, episode)
        session.commit()
        return segments


def test_restart_mid_transcription_resumes_the_same_job(any_engine, fake):
    episode_id = add_episode(any_engine)

    def crash(_seconds: float) -> None:
        raise Crash

    with pytest.raises(Crash):
        run(services_for(any_engine, fake, sleep=crash), episode_id)
    with Session(any_engine) as session:
        assert session.get(Episode, episode_id).assemblyai_id == "tx_1"  # durable before waiting

    segments = run(services_for(any_engine, fake), episode_id)  # the restarted process
    assert len(fake.submissions) == 1  # paid once
    assert segments[0].text == "Open weights change the economics."
    with Session(any_engine) as session:
        episode = session.get(Episode, episode_id)
        assert episode.transcript_source == "assemblyai" and episode.language == "en"
        assert load_segments(session, episode_id) == segments  # stored like a publisher's
        usage = session.exec(select(Usage)).one()
        assert usage.service == "assemblyai" and usage.episode_id == episode_id
        assert usage.audio_seconds > 0 and usage.cost_usd > 0


def test_matching_policy_skips_episodes_no_channel_wants(engine, fake):
    episode_id = add_episode(engine, topic="kubernetes operators")
    with pytest.raises(TranscriptionSkipped, match="no channel"):
        run(services_for(engine, fake), episode_id)
    assert not fake.submissions
    with Session(engine) as session:
        episode = session.get(Episode, episode_id)
        assert episode.status == "skipped" and "TRANSCRIBE=matching" in episode.status_reason


@pytest.mark.parametrize("topic", ["open weight model", "open source AI"])
def test_topics_match_by_stem_and_synonym_like_the_ranking(engine, fake, topic):
    episode_id = add_episode(engine, topic=topic)  # "Open-weight models and your cloud bill"
    assert run(services_for(engine, fake), episode_id)


def test_never_and_all_policies(engine, fake):
    episode_id = add_episode(engine, topic=None)
    with pytest.raises(TranscriptionSkipped, match="TRANSCRIBE=never"):
        run(services_for(engine, fake, transcribe="never"), episode_id)
    assert run(services_for(engine, fake, transcribe="all"), episode_id)


def test_budget_skips_and_status_warns(any_engine, fake):
    episode_id = add_episode(any_engine, duration_s=3600.0)
    with Session(any_engine) as session:
        session.add(
            Usage(
                at=NOW,
                service="assemblyai",
                operation="transcribe",
                audio_seconds=4.5 * 3600,
                cost_usd=1.66,
            )
        )
        session.commit()
    services = services_for(any_engine, fake)
    with pytest.raises(TranscriptionSkipped, match="daily transcription budget"):
        run(services, episode_id)
    assert not fake.submissions
    with Session(any_engine) as session:
        lines = spend_lines(session, services.settings, NOW)
    text = "\n".join(lines)
    assert "4.5 of 5 h today" in text
    assert "⚠ daily transcription budget 90% used" in text
    assert "Open-weight models and your cloud bill" in text  # says what was skipped
    assert "$1.66 today" in text


def test_audio_errors_are_recorded_on_the_episode(engine, fake):
    fake.errors[AUDIO] = "Download error, unable to download the file (403 Forbidden)"
    episode_id = add_episode(engine)
    with pytest.raises(Exception, match="audio unreachable"):
        run(services_for(engine, fake), episode_id)
    with Session(engine) as session:
        episode = session.get(Episode, episode_id)
        assert "audio unreachable" in episode.status_reason and episode.assemblyai_id == "tx_1"


def test_webhook_requeues_the_owning_episode(engine, fake):
    episode_id = add_episode(engine)
    services = services_for(engine, fake, assemblyai_webhook_secret="s3cret")
    with Session(engine) as session:
        episode = session.get(Episode, episode_id)
        episode.assemblyai_id, episode.status = "tx_9", "processing"
        session.add(episode)
        session.commit()
    with pytest.raises(Exception, match="bad or missing secret"):
        handle_assemblyai_webhook(services, {"transcript_id": "tx_9", "status": "completed"})
    headers = {"x-podbrief-webhook-secret": "s3cret"}
    payload = {"transcript_id": "tx_9", "status": "completed"}
    assert handle_assemblyai_webhook(services, payload, headers) == "requeued"
    assert handle_assemblyai_webhook(services, {"transcript_id": "nope"}, headers) == "unknown job"
    with Session(engine) as session:
        assert session.get(Episode, episode_id).status == "pending"


def test_obtain_segments_transcribes_when_the_feed_has_no_transcript(engine, fake):
    from bot.transcripts.sources import obtain_segments

    episode_id = add_episode(engine)
    services = services_for(engine, fake)
    with Session(engine, expire_on_commit=False) as session:
        segments = obtain_segments(services, session, session.get(Episode, episode_id))
        session.commit()
    assert segments[0].speaker == "Speaker A" and len(fake.submissions) == 1


def test_webhook_mode_parks_the_episode_until_the_callback(engine, fake):
    from bot.core.errors import TranscriptionPending

    episode_id = add_episode(engine)
    services = services_for(engine, fake, assemblyai_webhook_url="https://bot.example/hook")
    with pytest.raises(TranscriptionPending):
        run(services, episode_id)
    with Session(engine) as session:
        assert session.get(Episode, episode_id).status == "transcribing"
        assert "Waiting for AssemblyAI webhooks: 1" in "\n".join(
            spend_lines(session, services.settings, NOW)
        )
    assert handle_assemblyai_webhook(services, {"transcript_id": "tx_1", "status": "completed"})
    fake.jobs["tx_1"].polls_left = 0
    assert run(services, episode_id)[0].text == "Open weights change the economics."
    assert len(fake.submissions) == 1


def test_status_shows_the_spend_section(engine, fake):
    from bot.reports.status import gather_status

    add_episode(engine)
    services = services_for(engine, fake)
    with Session(engine) as session:
        session.add(Usage(at=NOW, service="openai", operation="insights", cost_usd=0.25))
        session.commit()
        report = gather_status(services, session)
    text = "\n".join(report.lines())
    assert "Transcription: 0.0 of 5 h today" in text and "$0.25 today" in text
    assert report.to_json()["sections"]["spend"][0].startswith("Transcription:")
