"""The usage ledger: tokens, audio seconds and estimated cost of every paid call."""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from bot.core.clock import utcnow
from bot.core.config import Settings
from bot.core.models import Usage

log = logging.getLogger(__name__)

# How long a usage write may wait for SQLite's write lock before it is buffered for later.
_SQLITE_LOCK_WAIT_MS = 250


@dataclass(frozen=True)
class UsageEvent:
    """One paid call as a provider reports it."""

    service: str  # openai | assemblyai
    operation: str  # insights | answer | embed | transcribe
    model: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    audio_seconds: float = 0.0
    episode_id: int | None = None


def estimate_cost(settings: Settings, event: UsageEvent) -> float:
    """Estimated cost in USD from the PRICE_* settings."""
    if event.service == "assemblyai":
        return event.audio_seconds / 3600.0 * settings.price_audio_hour_usd
    if event.operation == "embed":
        return event.input_tokens / 1e6 * settings.price_embedding_per_mtok_usd
    return (
        event.input_tokens / 1e6 * settings.price_input_per_mtok_usd
        + event.output_tokens / 1e6 * settings.price_output_per_mtok_usd
    )


def usage_row(settings: Settings, event: UsageEvent, at: datetime | None = None) -> Usage:
    """The ledger row for ``event`` with its estimated cost."""
    return Usage(
        at=at or utcnow(),
        service=event.service,
        operation=event.operation,
        model=event.model,
        input_tokens=event.input_tokens,
        output_tokens=event.output_tokens,
        audio_seconds=event.audio_seconds,
        cost_usd=round(estimate_cost(settings, event), 8),
        episode_id=event.episode_id,
    )


class UsageRecorder:
    """Writes usage rows in their own transaction; buffers them while the database is busy.

    Providers are called inside the pipeline's open session; on SQLite that session may hold
    the write lock. A blocked write is kept and a background writer retries it until the lock
    frees (and once more at interpreter exit), so nothing is lost and nothing waits.
    """

    def __init__(self, engine: Engine, settings: Settings, retry_every_s: float = 0.5) -> None:
        self.engine = engine
        self.settings = settings
        self.retry_every_s = retry_every_s
        self._pending: list[Usage] = []
        self._lock = threading.Lock()
        self._writer: threading.Thread | None = None

    def __call__(self, event: UsageEvent) -> None:
        """Record ``event`` (the providers' ``on_usage`` callback)."""
        with self._lock:
            self._pending.append(usage_row(self.settings, event))
        if self.flush():
            self._start_writer()

    def drain(self, timeout_s: float = 600.0) -> int:
        """Retry buffered rows until written or ``timeout_s`` passes; returns rows left."""
        deadline = time.monotonic() + timeout_s
        while (left := self.flush()) and time.monotonic() < deadline:
            time.sleep(self.retry_every_s)
        if left:
            log.error("usage ledger: %d row(s) could not be written", left)
        return left

    def _start_writer(self) -> None:
        with self._lock:
            if self._writer is not None and self._writer.is_alive():
                return
            first = self._writer is None
            self._writer = threading.Thread(target=self.drain, name="usage-writer", daemon=True)
            self._writer.start()
        if first:  # a one-shot CLI may exit before the writer's next try
            atexit.register(self.drain, 30.0)

    def flush(self) -> int:
        """Write buffered rows; returns how many are still waiting."""
        with self._lock:
            rows, self._pending = self._pending, []
            if not rows:
                return 0
            try:
                self._write(rows)
            except OperationalError as exc:
                log.info("usage ledger busy, %d row(s) kept for later: %s", len(rows), exc.orig)
                self._pending = rows + self._pending
            return len(self._pending)

    def _write(self, rows: list[Usage]) -> None:
        sqlite = self.engine.dialect.name == "sqlite"
        values = [row.model_dump(exclude={"id"}) for row in rows]
        with self.engine.connect() as conn:
            if sqlite:
                conn.exec_driver_sql(f"PRAGMA busy_timeout={_SQLITE_LOCK_WAIT_MS}")
            try:
                conn.execute(insert(Usage), values)
                conn.commit()
            finally:
                if sqlite:
                    conn.rollback()
                    conn.exec_driver_sql("PRAGMA busy_timeout=30000")


@dataclass(frozen=True)
class UsageTotal:
    """Totals for one service and operation over a period."""

    service: str
    operation: str
    calls: int
    input_tokens: int
    output_tokens: int
    audio_seconds: float
    cost_usd: float

    def to_json(self) -> dict:
        """The ``podbrief usage --json`` row shape."""
        return {
            "service": self.service,
            "operation": self.operation,
            "calls": self.calls,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "audio_hours": round(self.audio_seconds / 3600.0, 4),
            "cost_usd": round(self.cost_usd, 4),
        }


def usage_since(session: Session, since: datetime) -> list[UsageTotal]:
    """Usage totals per service and operation since ``since``."""
    sums: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0, 0, 0.0, 0.0])
    for row in session.exec(select(Usage).where(Usage.at >= since)):
        acc = sums[(row.service, row.operation)]
        acc[0] += 1
        acc[1] += row.input_tokens
        acc[2] += row.output_tokens
        acc[3] += row.audio_seconds
        acc[4] += row.cost_usd
    return [
        UsageTotal(svc, op, int(a[0]), int(a[1]), int(a[2]), float(a[3]), float(a[4]))
        for (svc, op), a in sorted(sums.items())
    ]


def usage_report(session: Session, *, days: int, now: datetime) -> dict:
    """The ``podbrief usage --json`` document for the last ``days`` days."""
    since = now - timedelta(days=days)
    totals = usage_since(session, since)
    return {
        "since": since.isoformat(),
        "days": days,
        "rows": [t.to_json() for t in totals],
        "total_cost_usd": round(sum(t.cost_usd for t in totals), 4),
    }


def audio_seconds_since(session: Session, since: datetime) -> float:
    """Audio seconds transcribed since ``since`` (the budget counter)."""
    query = select(Usage.audio_seconds).where(
        Usage.service == "assemblyai", Usage.operation == "transcribe", Usage.at >= since
    )
    return float(sum(session.exec(query)))
