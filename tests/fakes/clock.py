"""A clock tests set and move by hand (no sleeps)."""

from __future__ import annotations

from datetime import datetime, timedelta


class FixedClock:
    """Aware UTC time that only moves when a test says so."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        """Move forward by ``timedelta(**delta)`` and return the new time."""
        self.current += timedelta(**delta)
        return self.current
