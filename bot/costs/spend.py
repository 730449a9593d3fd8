"""Transcription budget (audio hours per day and month) and the spend lines for ``status``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_
from sqlmodel import Session, col, func, select

from bot.core.config import Settings
from bot.core.models import Episode, Usage
from bot.costs.usage import audio_seconds_since

# Duration assumed for an episode whose feed gives none (typical podcast length).
ASSUMED_EPISODE_S = 3600.0
# How budget refusals begin: housekeeping re-queues those skips when the budget resets.
DAY_REFUSAL = "daily transcription budget"
MONTH_REFUSAL = "monthly transcription budget"
# One wording for "no transcription service", shared by `status` and `providers`.
TRANSCRIPTION_OFF = "Transcription: off (publisher transcripts only; set ASSEMBLYAI_API_KEY)"


def day_start(now: datetime) -> datetime:
    """UTC midnight of ``now``'s day (budgets reset then)."""
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def month_start(now: datetime) -> datetime:
    """UTC midnight of the first of ``now``'s month."""
    return day_start(now).replace(day=1)


@dataclass(frozen=True)
class Budget:
    """Audio hours used (including jobs in flight) against the configured limits."""

    day_hours: float
    month_hours: float
    day_limit: float
    month_limit: float

    def refusal(self, episode_hours: float) -> str | None:
        """Why an episode of ``episode_hours`` would break the budget, or None."""
        if self.day_hours + episode_hours > self.day_limit:
            return (
                f"{DAY_REFUSAL}: {self.day_hours:.1f} of {self.day_limit:g} h used, "
                f"episode needs {episode_hours:.1f} h"
            )
        if self.month_hours + episode_hours > self.month_limit:
            return (
                f"{MONTH_REFUSAL}: {self.month_hours:.1f} of "
                f"{self.month_limit:g} h used, episode needs {episode_hours:.1f} h"
            )
        return None


def skipped_for(refusal: str):
    """SQL condition: episodes skipped because of the ``refusal`` budget (not by policy)."""
    return and_(Episode.status == "skipped", col(Episode.status_reason).startswith(refusal))


def in_flight_seconds(session: Session, exclude_episode_id: int | None = None) -> float:
    """Estimated audio of submitted jobs not yet billed in the ledger."""
    query = select(Episode.duration_s).where(
        col(Episode.assemblyai_id).is_not(None),
        col(Episode.transcript_source).is_(None),
        col(Episode.status).in_(("pending", "processing", "failed", "transcribing")),
    )
    if exclude_episode_id is not None:
        query = query.where(Episode.id != exclude_episode_id)
    return sum(d or ASSUMED_EPISODE_S for d in session.exec(query))


def current_budget(
    session: Session, settings: Settings, now: datetime, exclude_episode_id: int | None = None
) -> Budget:
    """Hours used today and this month, counted from the Usage ledger plus jobs in flight."""
    pending = in_flight_seconds(session, exclude_episode_id)
    return Budget(
        day_hours=(audio_seconds_since(session, day_start(now)) + pending) / 3600.0,
        month_hours=(audio_seconds_since(session, month_start(now)) + pending) / 3600.0,
        day_limit=settings.transcribe_hours_per_day,
        month_limit=settings.transcribe_hours_per_month,
    )


def spend_lines(session: Session, settings: Settings, now: datetime) -> list[str]:
    """Lines for ``/podbrief status``: budget use, warnings, skipped episodes, paid spend.

    Without ASSEMBLYAI_API_KEY transcription is off, said the way `podbrief providers` says it.
    """
    if settings.assemblyai_api_key is None:
        lines = [TRANSCRIPTION_OFF]
        lines += _skipped_lines(session, now)
        return lines + _cost_lines(session, now)
    budget = current_budget(session, settings, now)
    lines = [
        f"Transcription: {budget.day_hours:.1f} of {budget.day_limit:g} h today, "
        f"{budget.month_hours:.1f} of {budget.month_limit:g} h this month "
        f"(TRANSCRIBE={settings.transcribe})"
    ]
    lines += _budget_warnings(budget, settings.transcribe_budget_warn_ratio)
    waiting = session.exec(
        select(func.count()).select_from(Episode).where(Episode.status == "transcribing")
    ).one()
    if waiting:
        lines.append(f"Waiting for AssemblyAI webhooks: {waiting} episode(s)")
    for label, refusal in (("daily", DAY_REFUSAL), ("monthly", MONTH_REFUSAL)):
        count = session.exec(select(func.count()).where(skipped_for(refusal))).one()
        if count:
            lines.append(f"Waiting for the {label} budget to reset: {count} episode(s)")
    lines += _skipped_lines(session, now)
    lines += _cost_lines(session, now)
    return lines


def _budget_warnings(budget: Budget, ratio: float) -> list[str]:
    warnings = []
    for label, used, limit in (
        ("daily", budget.day_hours, budget.day_limit),
        ("monthly", budget.month_hours, budget.month_limit),
    ):
        if limit <= 0 or used < ratio * limit:
            continue
        share = min(used / limit, 9.99)
        what = "spent: new episodes are skipped" if used >= limit else "used"
        warnings.append(f"⚠ {label} transcription budget {share:.0%} {what}")
    return warnings


def _skipped_lines(session: Session, now: datetime) -> list[str]:
    since = now - timedelta(days=7)
    query = (
        select(Episode.title, Episode.status_reason)
        .where(Episode.status == "skipped", Episode.updated_at >= since)
        .order_by(col(Episode.updated_at).desc())
    )
    rows = list(session.exec(query))
    if not rows:
        return []
    lines = [f"Skipped in the last 7 days: {len(rows)} episode(s) not transcribed"]
    lines += [f"  · {title[:60]} — {reason or 'no reason recorded'}" for title, reason in rows[:3]]
    return lines


def _cost_lines(session: Session, now: datetime) -> list[str]:
    def cost_since(since: datetime) -> float:
        query = select(func.coalesce(func.sum(Usage.cost_usd), 0.0)).where(Usage.at >= since)
        return float(session.exec(query).one())

    today, month = cost_since(day_start(now)), cost_since(month_start(now))
    if not month:
        return []
    return [f"Paid services: ${today:.2f} today, ${month:.2f} this month (estimated)"]
