"""Time in one place, so tests can fix it. Every stored datetime is timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


def utcnow() -> datetime:
    """Aware UTC now: the form every datetime column stores and returns."""
    return datetime.now(UTC)


class Clock(Protocol):
    def now(self) -> datetime:
        """Aware UTC now."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return utcnow()
