"""Exactly one clock: the PostgreSQL advisory lock admits one scheduler at a time."""

from __future__ import annotations

import threading

import pytest

from bot.jobs.leadership import ClockLock


def test_only_one_clock_holds_the_lock_and_a_standby_takes_over(any_engine):
    first, second = ClockLock(any_engine, key=4242), ClockLock(any_engine, key=4242)
    assert first.try_acquire()
    if any_engine.dialect.name != "postgresql":
        pytest.skip("SQLite installs run a single process; the lock is trivially held")
    assert not second.try_acquire()
    assert first.still_held()
    first.release()
    assert second.wait(threading.Event(), retry_s=0.01)
    assert second.still_held()
    second.release()


def test_standby_gives_up_when_stopped(any_engine):
    if any_engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL advisory locks")
    holder, standby = ClockLock(any_engine, key=4343), ClockLock(any_engine, key=4343)
    assert holder.try_acquire()
    stop = threading.Event()
    stop.set()
    assert standby.wait(stop) is False
    standby.release()
    holder.release()


def test_a_standby_all_process_serves_work_but_no_clock_jobs(any_engine, caplog):
    if any_engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL advisory locks")
    from bot.core.config import Settings
    from bot.core.services import Services
    from bot.jobs.leadership import CLOCK_LOCK_KEY
    from handlers.runtime.process import run_role

    holder = ClockLock(any_engine, key=CLOCK_LOCK_KEY)
    assert holder.try_acquire()
    settings = Settings(_env_file=None, worker_id="standby", shutdown_grace_s=5)
    services = Services(settings=settings, engine=any_engine)
    stop, result = threading.Event(), []
    thread = threading.Thread(
        target=lambda: result.append(
            run_role(services, "all", stop=stop, publishers={}, say=lambda _line: None)
        )
    )
    with caplog.at_level("INFO", logger="bot.jobs.leadership"):
        thread.start()
        for _ in range(500):  # bounded wait until it is standing by
            if "standing by" in caplog.text:
                break
            threading.Event().wait(0.02)
        stop.set()
        thread.join(timeout=25)
    holder.release()
    assert "standing by" in caplog.text
    assert result[0].started == ["process_pending"]
