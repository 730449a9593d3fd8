"""Housekeeping: lost webhooks resume the same job, budget skips retry after the reset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from bot.core.config import Settings
from bot.core.errors import TranscriptionPending
from bot.core.models import Episode, Podcast
from bot.core.services import Services
from bot.costs.spend import spend_lines
from bot.jobs.scheduling import Jobs
from bot.providers.assemblyai_transcriber import AssemblyAITranscriber
from tests.fakes.assemblyai_server import FakeAssemblyAI, turns_payload
from tests.fakes.clock import FixedClock
from tests.transcripts.test_transcription import AUDIO, add_episode, run

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
HOOK = "https://bot.example/hooks/assemblyai"
DAILY = "daily transcription budget: 4.5 of 5 h used, episode needs 1.0 h"
MONTHLY = "monthly transcription budget: 99.5 of 100 h used, episode needs 1.0 h"
POLICY = "no channel's topics match its title, notes or chapters (TRANSCRIBE=matching)"


@pytest.fixture
def fake():
    server = FakeAssemblyAI(polls=5).start()
    server.results[AUDIO] = turns_payload([("A", 0.0, "Open weights change the economics.")])
    yield server
    server.stop()


def services_for(engine, fake, **overrides) -> Services:
    settings = Settings(
        _env_file=None,
        assemblyai_api_key="k",
        assemblyai_base_url=fake.url,
        assemblyai_webhook_url=HOOK,
        assemblyai_poll_timeout_s=3600,
        **overrides,
    )
    transcriber = AssemblyAITranscriber(settings, sleep=lambda _s: None)
    clock = FixedClock(NOW)
    return Services(settings=settings, engine=engine, clock=clock, transcriber=transcriber)


def set_episode(engine, episode_id: int, **values) -> None:
    with Session(engine) as session:
        episode = session.get(Episode, episode_id)
        for key, value in values.items():
            setattr(episode, key, value)
        session.add(episode)
        session.commit()


def episode(engine, episode_id: int) -> Episode:
    with Session(engine, expire_on_commit=False) as session:
        return session.get(Episode, episode_id)


def housekeeping(services: Services) -> dict[str, int]:
    return Jobs(services, {}).housekeeping()


def test_a_lost_webhook_resumes_the_same_job_after_the_poll_timeout(any_engine, fake):
    services = services_for(any_engine, fake)
    episode_id = add_episode(any_engine)
    with pytest.raises(TranscriptionPending):
        run(services, episode_id)  # submitted, parked for the webhook that never comes
    set_episode(any_engine, episode_id, updated_at=NOW - timedelta(minutes=30))
    assert housekeeping(services)["resumed"] == 0  # still inside ASSEMBLYAI_POLL_TIMEOUT_S
    assert episode(any_engine, episode_id).status == "transcribing"

    services.clock.advance(hours=1)
    assert housekeeping(services)["resumed"] == 1
    requeued = episode(any_engine, episode_id)
    assert requeued.status == "pending" and requeued.assemblyai_id == "tx_1"

    with pytest.raises(TranscriptionPending):  # AssemblyAI still working: parked again
        run(services, episode_id)
    assert episode(any_engine, episode_id).status == "transcribing"
    fake.jobs["tx_1"].polls_left = 0
    set_episode(any_engine, episode_id, status="pending")
    assert run(services, episode_id)[0].text == "Open weights change the economics."
    assert len(fake.submissions) == 1  # resumed by id: never paid twice


def add_skipped(engine, reason: str, at: datetime, number: int) -> int:
    with Session(engine) as session:
        podcast = Podcast(url=f"https://feeds.example.com/{number}.xml", title=f"Show {number}")
        session.add(podcast)
        session.flush()
        row = Episode(
            podcast_id=podcast.id,
            identity=f"guid:{number}",
            title=f"Episode {number}",
            status="skipped",
            status_reason=reason,
            updated_at=at,
        )
        session.add(row)
        session.commit()
        return row.id


def test_budget_skips_are_retried_when_their_budget_resets(any_engine, fake):
    services = services_for(any_engine, fake)
    daily = add_skipped(any_engine, DAILY, NOW, 1)
    monthly = add_skipped(any_engine, MONTHLY, NOW - timedelta(days=1), 2)
    policy = add_skipped(any_engine, POLICY, NOW - timedelta(days=40), 3)
    with Session(any_engine) as session:
        text = "\n".join(spend_lines(session, services.settings, NOW))
    assert "Waiting for the daily budget to reset: 1 episode(s)" in text
    assert "Waiting for the monthly budget to reset: 1 episode(s)" in text

    assert housekeeping(services)["retried"] == 0  # same day, same month
    services.clock.current = datetime(2026, 11, 29, 0, 5, tzinfo=UTC)
    assert housekeeping(services)["retried"] == 1
    assert episode(any_engine, daily).status == "pending"
    assert episode(any_engine, monthly).status == "skipped"
    services.clock.current = datetime(2026, 12, 1, 0, 5, tzinfo=UTC)
    assert housekeeping(services)["retried"] == 1
    assert episode(any_engine, monthly).status == "pending"
    assert episode(any_engine, policy).status == "skipped"  # policy skips are not budget's
    assert housekeeping(services)["retried"] == 0


def test_a_parked_transcription_gives_its_claim_back_without_using_an_attempt(engine, fake):
    from bot.jobs.pipeline import process_pending

    services = services_for(engine, fake, worker_id="w1")
    episode_id = add_episode(engine)

    def park(services: Services, episode_id: int) -> None:
        run(services, episode_id)  # submits, marks it transcribing, raises TranscriptionPending

    assert process_pending(services, step=park) == {"done": 0, "failed": 0, "waiting": 1}
    parked = episode(engine, episode_id)
    assert parked.status == "transcribing" and parked.assemblyai_id == "tx_1"
    assert (parked.claimed_by, parked.attempts) == (None, 0)
