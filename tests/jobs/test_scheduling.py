"""The scheduler's jobs, driven by an injected clock (no sleeps), and the process roles."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from bot.core.config import Settings
from bot.core.models import Delivery, Episode, Podcast
from bot.core.services import Services
from bot.jobs.scheduling import JOB_IDS, Jobs, build_scheduler
from handlers.runtime import process as process_runner
from handlers.runtime.process import run_role
from tests.fakes.briefs import add_channels, compose_top, seed_insights
from tests.fakes.clock import FixedClock
from tests.fakes.publisher import RecordingPublisher

START = datetime(2026, 3, 27, 0, 0, tzinfo=UTC)  # Friday before Europe's spring-forward


def make_jobs(engine, now: datetime = START, **overrides) -> tuple[Jobs, RecordingPublisher]:
    settings = Settings(_env_file=None, worker_id="w1", **overrides)
    services = Services(settings=settings, engine=engine, clock=FixedClock(now))
    publisher = RecordingPublisher("slack")
    return Jobs(services, {"slack": publisher}, compose=compose_top), publisher


def test_jobs_have_fixed_ids_coalesce_one_instance_and_a_fitting_grace(engine):
    jobs, _ = make_jobs(engine)
    scheduler = build_scheduler(jobs)
    found = {job.id: job for job in scheduler.get_jobs()}
    assert set(found) == set(JOB_IDS)
    assert all(job.coalesce and job.max_instances == 1 for job in found.values())
    assert found["brief_tick"].misfire_grace_time < 60  # a late tick is replaced by the next
    assert found["housekeeping"].misfire_grace_time >= 600
    assert found["brief_tick"].trigger.interval == timedelta(minutes=1)
    assert found["poll_feeds"].trigger.interval == timedelta(minutes=5)


def test_brief_ticker_delivers_once_a_day_at_local_time_across_dst(engine):
    with Session(engine, expire_on_commit=False) as session:
        seed_insights(session, count=40)
        _berlin, _new_york, auckland = (
            add_channels(session, "slack", 1, prefix=ref, timezone=tz, brief_time="08:30")[0]
            for ref, tz in (
                ("B", "Europe/Berlin"),
                ("N", "America/New_York"),
                ("A", "Pacific/Auckland"),
            )
        )
    jobs, publisher = make_jobs(engine)
    sent_at: dict[str, list[datetime]] = {"B0000": [], "N0000": [], "A0000": []}
    # Tick every 15 minutes for four days (the scheduler runs it every minute).
    for _ in range(4 * 24 * 4):
        before = len(publisher.posts)
        jobs.brief_tick()
        for ref, _brief, _id in publisher.posts[before:]:
            sent_at[ref].append(jobs.services.clock.now())
        jobs.services.clock.advance(minutes=15)
    # Berlin: CET until Sun 29 Mar, then CEST: 08:30 local is 07:30 then 06:30 UTC.
    assert [t.strftime("%d %H:%M") for t in sent_at["B0000"]] == [
        "27 07:30",
        "28 07:30",
        "29 06:30",
        "30 06:30",
    ]
    # New York is already on EDT (since 8 Mar): 12:30 UTC. Starting at 20:00 on 26 Mar local
    # time, the first tick catches up that day's brief once.
    assert [t.strftime("%d %H:%M") for t in sent_at["N0000"]] == [
        "27 00:00",
        "27 12:30",
        "28 12:30",
        "29 12:30",
        "30 12:30",
    ]
    # Auckland (NZDT, +13) is a day ahead: it starts at 13:00 on 27 Mar (caught up at once) and
    # its 28 Mar brief goes out at 19:30 UTC on the 27th.
    assert [t.strftime("%d %H:%M") for t in sent_at["A0000"]] == [
        "27 00:00",
        "27 19:30",
        "28 19:30",
        "29 19:30",
        "30 19:30",
    ]
    with Session(engine) as session:
        dates = session.exec(select(Delivery.local_date).where(Delivery.channel_id == auckland.id))
        assert sorted(dates) == [date(2026, 3, d) for d in (27, 28, 29, 30, 31)]


def test_housekeeping_requeues_abandoned_claims_and_prunes_old_ledger_rows(engine):
    jobs, _ = make_jobs(engine, now=datetime(2026, 12, 1, tzinfo=UTC))
    now = jobs.services.clock.now()
    with Session(engine) as session:
        podcast = Podcast(url="https://example.org/f.xml")
        session.add(podcast)
        session.flush()
        [channel] = add_channels(session, "slack", 1)
        session.add(
            Episode(
                podcast_id=podcast.id,
                identity="guid:x",
                status="processing",
                claimed_by="crashed",
                claimed_at=now - timedelta(hours=2),
                attempts=1,
            )
        )
        for day in (date(2026, 6, 1), date(2026, 11, 30)):
            session.add(Delivery(channel_id=channel.id, local_date=day, status="sent"))
        session.commit()
    assert jobs.housekeeping() == {"released": 1, "resumed": 0, "retried": 0, "pruned": 1}
    with Session(engine) as session:
        assert session.exec(select(Episode.status)).one() == "pending"
        assert session.exec(select(Delivery.local_date)).all() == [date(2026, 11, 30)]


def test_a_failing_job_is_logged_and_the_schedule_goes_on(engine, caplog):
    jobs, _ = make_jobs(engine)
    jobs.poll_feeds = lambda: 1 / 0
    with caplog.at_level(logging.ERROR):
        jobs.guarded("poll_feeds")()
    assert "job poll_feeds failed" in caplog.text
    assert jobs.wait_idle(0)


def test_stopping_skips_new_runs(engine):
    jobs, publisher = make_jobs(engine, now=datetime(2026, 12, 1, 12, tzinfo=UTC))
    with Session(engine) as session:
        seed_insights(session)
        add_channels(session, "slack", 1)
    jobs.stop.set()
    jobs.guarded("brief_tick")()
    assert publisher.posts == []


def test_run_role_stops_cleanly_and_releases_its_claims(engine):
    settings = Settings(_env_file=None, worker_id="runner", shutdown_grace_s=5)
    services = Services(settings=settings, engine=engine)
    with Session(engine) as session:
        podcast = Podcast(url="https://example.org/g.xml")
        session.add(podcast)
        session.flush()
        session.add(
            Episode(
                podcast_id=podcast.id,
                identity="guid:held",
                status="processing",
                claimed_by="runner",
                claimed_at=datetime.now(UTC),
                attempts=1,
            )
        )
        session.commit()
    stop = threading.Event()
    said: list[str] = []
    result: list = []
    thread = threading.Thread(
        target=lambda: result.append(
            run_role(services, "clock", stop=stop, publishers={}, say=said.append)
        )
    )
    thread.start()
    stop.set()
    thread.join(timeout=25)
    assert not thread.is_alive()
    assert result[0].clean
    assert any("briefs print to this terminal" in line for line in said)
    with Session(engine) as session:
        assert session.exec(select(Episode.status)).one() == "pending"


def test_all_role_starts_slack_and_discord_and_stops_both(engine, monkeypatch):
    import asyncio
    import sys
    import types

    events: list[str] = []
    slack_runner = types.ModuleType("handlers.slack_app.runner")
    slack_runner.slack_mode = lambda settings: "http"
    slack_runner.start_slack = lambda services: (
        events.append("slack started") or (lambda: events.append("slack stopped"))
    )
    discord_runner = types.ModuleType("handlers.discord_bot.runner")

    async def run_discord(services, *, stop: asyncio.Event) -> None:
        events.append("discord started")
        await stop.wait()
        events.append("discord stopped")

    discord_runner.run_discord = run_discord
    monkeypatch.setitem(sys.modules, "handlers.slack_app.runner", slack_runner)
    monkeypatch.setitem(sys.modules, "handlers.discord_bot.runner", discord_runner)
    settings = Settings(
        _env_file=None, worker_id="all", discord_token="d", slack_bot_token="x", shutdown_grace_s=5
    )
    services = Services(settings=settings, engine=engine)
    stop = threading.Event()
    result: list = []
    thread = threading.Thread(
        target=lambda: result.append(
            run_role(services, "all", stop=stop, publishers={"slack": object()}, say=print)
        )
    )
    clock_up = threading.Event()  # stopping before the clock jobs exist would skip them
    real_add_jobs = process_runner.add_jobs
    monkeypatch.setattr(
        process_runner, "add_jobs", lambda *a, **k: (real_add_jobs(*a, **k), clock_up.set())
    )
    thread.start()
    assert clock_up.wait(20)
    for _ in range(500):  # bounded wait for the Discord thread to come up
        if "discord started" in events:
            break
        threading.Event().wait(0.02)
    stop.set()
    thread.join(timeout=25)
    assert result[0].started[:2] == ["slack", "discord"]
    assert set(result[0].started[2:]) == {
        "process_pending",
        "poll_feeds",
        "brief_tick",
        "housekeeping",
    }
    assert events[:2] == ["slack started", "discord started"]
    assert sorted(events[2:]) == ["discord stopped", "slack stopped"]


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # 25 Oct 2026: 02:30 happens twice in Berlin (fall back) — one brief, at the first.
        (
            datetime(2026, 10, 24, 3, 0, tzinfo=UTC),
            ["24 03:00", "25 00:30", "26 01:30", "27 01:30"],
        ),
        # 29 Mar 2026: 02:30 never happens (spring forward) — one brief, at 03:30 CEST.
        (datetime(2026, 3, 28, 3, 0, tzinfo=UTC), ["28 03:00", "29 01:30", "30 00:30", "31 00:30"]),
    ],
)
def test_one_brief_on_daylight_saving_days_for_a_time_inside_the_change(engine, start, expected):
    with Session(engine) as session:
        seed_insights(session, count=12)
        add_channels(session, "slack", 1, timezone="Europe/Berlin", brief_time="02:30")
    jobs, publisher = make_jobs(engine, now=start)
    sent: list[str] = []
    for _ in range(3 * 24 * 4):
        before = len(publisher.posts)
        jobs.brief_tick()
        sent += [jobs.services.clock.now().strftime("%d %H:%M")] * (len(publisher.posts) - before)
        jobs.services.clock.advance(minutes=15)
    assert sent == expected
