"""Housekeeping re-queues, so no episode waits forever on a lost webhook or a spent budget.

A ``transcribing`` episode whose webhook never came is re-queued after ASSEMBLYAI_POLL_TIMEOUT_S:
the worker resumes the same AssemblyAI job by its stored id (one status fetch, never a second
submission). Episodes ``skipped`` by the daily or monthly budget are re-queued once that budget
has reset; the worker checks policy and budget again. Skips by policy stay skipped.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import and_, update
from sqlalchemy.engine import Engine
from sqlmodel import col

from bot.core.db import session_scope
from bot.core.models import Episode
from bot.costs.spend import DAY_REFUSAL, MONTH_REFUSAL, day_start, month_start, skipped_for

log = logging.getLogger(__name__)


def _requeue(engine: Engine, condition, *, reason: str, now: datetime) -> int:
    values = {"status": "pending", "status_reason": reason, "next_attempt_at": None}
    with session_scope(engine) as session:
        result = session.execute(
            update(Episode)
            .where(condition)
            .values(**values, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount or 0


def requeue_stale_transcriptions(engine: Engine, *, now: datetime, older_than: timedelta) -> int:
    """Re-queue episodes waiting on a webhook longer than ``older_than``; returns how many."""
    stale = and_(
        Episode.status == "transcribing",
        col(Episode.assemblyai_id).is_not(None),
        Episode.updated_at < now - older_than,
    )
    count = _requeue(engine, stale, reason="no webhook yet: checking the job by id", now=now)
    if count:
        log.warning("%d transcription(s) without a webhook re-queued to poll their job", count)
    return count


def requeue_budget_skipped(engine: Engine, *, now: datetime) -> int:
    """Re-queue episodes skipped by a budget that has reset since; returns how many."""
    count = 0
    for refusal, reset_at in ((DAY_REFUSAL, day_start(now)), (MONTH_REFUSAL, month_start(now))):
        condition = and_(skipped_for(refusal), Episode.updated_at < reset_at)
        count += _requeue(engine, condition, reason="budget reset: trying again", now=now)
    if count:
        log.info("%d episode(s) skipped for budget re-queued after the reset", count)
    return count
