"""Exactly one clock: the PostgreSQL advisory lock admits one scheduler at a time."""

from __future__ import annotations

import threading

import pytest

from bot.leadership import ClockLock


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
