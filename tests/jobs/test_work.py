"""Episode claims: exactly-once processing, retries with backoff, dead letters, release."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from bot.core.config import Settings
from bot.core.errors import TranscriptError
from bot.core.models import Episode, Podcast
from bot.core.services import Services
from bot.jobs.pipeline import process_pending
from bot.jobs.work import (
    claim_episodes,
    keep_claim,
    mark_failed,
    release,
    release_stale_claims,
    retry_delay,
)
from tests.fakes.clock import FixedClock

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def add_episodes(engine, count: int, status: str = "pending") -> list[int]:
    with Session(engine) as session:
        podcast = Podcast(url="https://example.org/feed.xml", title="Show")
        session.add(podcast)
        session.flush()
        episodes = [
            Episode(podcast_id=podcast.id, identity=f"guid:{n}", title=f"E{n}", status=status)
            for n in range(count)
        ]
        session.add_all(episodes)
        session.commit()
        return [e.id for e in episodes]


def statuses(engine) -> dict[int, Episode]:
    with Session(engine) as session:
        return {e.id: e for e in session.exec(select(Episode))}


def services_for(engine, **overrides) -> Services:
    settings = Settings(_env_file=None, worker_id="w1", **overrides)
    return Services(settings=settings, engine=engine, clock=FixedClock(NOW))


def test_claims_never_overlap_and_skip_other_states(any_engine):
    ids = add_episodes(any_engine, 6)
    with Session(any_engine) as session:
        session.get(Episode, ids[5]).status = "new"  # back catalogue: never claimed
        session.commit()
    first = claim_episodes(any_engine, worker="a", limit=3, now=NOW)
    second = claim_episodes(any_engine, worker="b", limit=3, now=NOW)
    assert first == ids[:3]
    assert second == ids[3:5]
    assert claim_episodes(any_engine, worker="c", limit=3, now=NOW) == []
    rows = statuses(any_engine)
    assert {rows[i].claimed_by for i in first} == {"a"}
    assert all(rows[i].attempts == 1 and rows[i].status == "processing" for i in ids[:5])


def test_concurrent_claimers_get_disjoint_sets(any_engine):
    ids = add_episodes(any_engine, 60)
    claimed: dict[str, list[int]] = {}

    def claimer(name: str) -> None:
        mine: list[int] = []
        while batch := claim_episodes(any_engine, worker=name, limit=2, now=NOW):
            mine += batch
        claimed[name] = mine

    threads = [threading.Thread(target=claimer, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = [i for batch in claimed.values() for i in batch]
    assert sorted(everything) == ids  # each exactly once


def test_failure_backs_off_then_dead_letters_with_reason(any_engine):
    [episode_id] = add_episodes(any_engine, 1)
    first_retry = timedelta(minutes=5)
    now = NOW
    outcomes = []
    for _ in range(3):
        assert claim_episodes(any_engine, worker="w", limit=1, now=now) == [episode_id]
        outcomes.append(
            mark_failed(
                any_engine,
                episode_id,
                worker="w",
                reason="transcript unreadable",
                now=now,
                max_attempts=3,
                first_retry=first_retry,
            )
        )
        row = statuses(any_engine)[episode_id]
        if row.status == "failed":
            # not claimable before its retry time
            assert claim_episodes(any_engine, worker="w", limit=1, now=now) == []
            now = row.next_attempt_at
    assert outcomes == ["failed", "failed", "dead"]
    row = statuses(any_engine)[episode_id]
    assert row.status_reason == "transcript unreadable"
    assert claim_episodes(any_engine, worker="w", limit=1, now=now + timedelta(days=9)) == []


def test_retry_delay_doubles_and_caps():
    first = timedelta(minutes=5)
    assert [retry_delay(n, first) for n in (1, 2, 3)] == [
        timedelta(minutes=5),
        timedelta(minutes=10),
        timedelta(minutes=20),
    ]
    assert retry_delay(30, first) == timedelta(hours=6)


def test_release_returns_claims_without_counting_the_attempt(any_engine):
    ids = add_episodes(any_engine, 2)
    claimed = claim_episodes(any_engine, worker="w", limit=2, now=NOW)
    assert release(any_engine, claimed, worker="other") == 0  # only the claimant releases
    assert release(any_engine, claimed, worker="w") == 2
    rows = statuses(any_engine)
    assert all(rows[i].status == "pending" and rows[i].attempts == 0 for i in ids)


def test_stale_claims_are_requeued_and_repeat_crashers_dead_lettered(any_engine):
    ids = add_episodes(any_engine, 2)
    with Session(any_engine) as session:
        session.get(Episode, ids[1]).attempts = 4
        session.commit()
    claim_episodes(any_engine, worker="crashed", limit=2, now=NOW)
    later = NOW + timedelta(minutes=31)
    assert (
        release_stale_claims(
            any_engine,
            older_than=timedelta(minutes=30),
            now=NOW + timedelta(minutes=5),
            max_attempts=5,
        )
        == 0
    )
    assert (
        release_stale_claims(
            any_engine, older_than=timedelta(minutes=30), now=later, max_attempts=5
        )
        == 2
    )
    rows = statuses(any_engine)
    assert rows[ids[0]].status == "pending"
    assert rows[ids[1]].status == "dead"
    assert "worker stopped" in rows[ids[1]].status_reason


def test_process_pending_processes_each_once_and_survives_failures(any_engine):
    ids = add_episodes(any_engine, 12)
    seen: list[int] = []
    lock = threading.Lock()

    def step(services: Services, episode_id: int) -> None:
        with lock:
            seen.append(episode_id)
        if episode_id == ids[3]:
            raise TranscriptError("no transcript and no audio")
        if episode_id == ids[4]:
            raise RuntimeError("bug in a step")

    progress: list[tuple[int, int]] = []
    services = services_for(any_engine, process_concurrency=3)
    counts = process_pending(services, lambda n, t: progress.append((n, t)), step=step)
    assert sorted(seen) == ids
    assert counts["done"] == 10 and counts["failed"] == 2
    assert sorted(n for n, _ in progress) == list(range(1, 13))
    rows = statuses(any_engine)
    assert rows[ids[3]].status == "failed"
    assert rows[ids[3]].status_reason == "no transcript and no audio"
    assert rows[ids[4]].status_reason == "bug in a step"
    assert rows[ids[0]].status == "done" and rows[ids[0]].claimed_by is None


def test_stop_event_takes_no_new_work(any_engine):
    add_episodes(any_engine, 5)
    stop = threading.Event()
    done: list[int] = []

    def step(services: Services, episode_id: int) -> None:
        done.append(episode_id)
        stop.set()  # SIGTERM arrives while the first episode is in flight

    services = services_for(any_engine, process_concurrency=1)
    process_pending(services, step=step, stop=stop)
    assert len(done) == 1
    rows = statuses(any_engine).values()
    assert sorted(r.status for r in rows) == ["done", "pending", "pending", "pending", "pending"]


def test_a_long_step_keeps_its_claim_fresh(engine):
    [episode_id] = add_episodes(engine, 1)
    [claimed] = claim_episodes(engine, worker="w", limit=1, now=NOW)
    clock = FixedClock(NOW + timedelta(hours=1))
    beat = threading.Event()

    with keep_claim(engine, claimed, worker="w", every_s=0.01, clock=clock):
        for _ in range(500):  # wait (bounded) for the first heartbeat
            if statuses(engine)[episode_id].claimed_at.replace(tzinfo=UTC) > NOW:
                beat.set()
                break
            threading.Event().wait(0.01)
    assert beat.is_set()
    stale = release_stale_claims(
        engine, older_than=timedelta(minutes=30), now=NOW + timedelta(hours=1), max_attempts=5
    )
    assert stale == 0


def test_not_yet_requeues_without_using_an_attempt(any_engine):
    from bot.core.errors import NotYet

    [episode_id] = add_episodes(any_engine, 1)

    def step(services: Services, eid: int) -> None:
        raise NotYet("transcription job tx-1 still running")

    services = services_for(any_engine, process_max_attempts=1)
    assert process_pending(services, step=step) == {"done": 0, "failed": 0, "waiting": 1}
    row = statuses(any_engine)[episode_id]
    assert (row.status, row.attempts) == ("pending", 0)
    assert "still running" in row.status_reason
    # Not claimable again until the recheck time; then it is.
    assert claim_episodes(any_engine, worker="w", limit=1, now=NOW) == []
    assert claim_episodes(any_engine, worker="w", limit=1, now=NOW + timedelta(minutes=1)) == [
        episode_id
    ]


def test_a_step_that_parks_its_episode_keeps_that_status(engine):
    [episode_id] = add_episodes(engine, 1)

    def step(services: Services, eid: int) -> None:
        with Session(engine) as session:
            episode = session.get(Episode, eid)
            episode.status, episode.status_reason = "skipped", "TRANSCRIBE=never"
            session.add(episode)
            session.commit()
        raise TranscriptError("not transcribed: TRANSCRIBE=never")

    process_pending(services_for(engine), step=step)
    row = statuses(engine)[episode_id]
    assert (row.status, row.status_reason, row.claimed_by) == ("skipped", "TRANSCRIBE=never", None)
