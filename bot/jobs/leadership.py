"""Exactly one clock: a PostgreSQL session advisory lock held for the scheduler's lifetime.

A second ``clock`` process (a deploy overlap, a scaled-up dyno) waits as a standby and takes
over when the first one's connection goes away. SQLite installs run one process, so the lock
is trivially held there.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

CLOCK_LOCK_KEY = 0x706F_6462  # "podb": one key per installation database


class ClockLock:
    """The advisory lock on one dedicated connection (session-level: dies with the connection)."""

    def __init__(self, engine: Engine, key: int = CLOCK_LOCK_KEY) -> None:
        self.engine, self.key = engine, key
        self._conn: Connection | None = None
        self.held = False

    @property
    def needed(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def try_acquire(self) -> bool:
        """Take the lock if free; True when this process now holds it."""
        if not self.needed:
            self.held = True
            return True
        if self._conn is None:
            self._conn = self.engine.connect()
        got = self._conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key})
        self.held = bool(got.scalar())
        self._conn.commit()
        return self.held

    def wait(self, stop: threading.Event, *, retry_s: float = 15.0) -> bool:
        """Block until the lock is ours (True) or ``stop`` is set (False)."""
        while not stop.is_set():
            if self.try_acquire():
                return True
            log.info("another clock holds the scheduler lock; standing by")
            deadline = time.monotonic() + retry_s
            # Short waits: a signal handler (SIGTERM sets ``stop``) only runs when we wake.
            while not stop.is_set() and time.monotonic() < deadline:
                stop.wait(min(0.5, retry_s))
        return False

    def still_held(self) -> bool:
        """False when the lock connection was lost (another clock may have taken over)."""
        if not self.needed:
            return self.held
        try:
            row = self._conn.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND pid = pg_backend_pid() AND objid::bigint = :k"
                ),
                {"k": self.key},
            ).scalar()
            self._conn.commit()
            return bool(row)
        except Exception:  # a broken connection means the lock is gone
            log.exception("clock lock connection lost")
            return False

    def release(self) -> None:
        """Unlock and close the dedicated connection."""
        if self._conn is not None:
            try:
                if self.held:
                    self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
                    self._conn.commit()
            finally:
                # Never hand a connection that may still hold the lock back to the pool.
                self._conn.invalidate()
                self._conn.close()
                self._conn = None
        self.held = False
