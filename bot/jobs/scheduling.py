"""APScheduler jobs: poll due feeds, process pending episodes, deliver briefs, housekeeping.

Job ids are fixed, ``coalesce`` folds a backlog of missed runs into one and ``max_instances=1``
stops a slow run from overlapping the next. Each job reads time from ``services.clock`` so tests
drive the job bodies with a fixed clock and no sleeps.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.core.ports import Publisher
from bot.core.services import Services
from bot.delivery.ledger import prune_deliveries
from bot.delivery.posting import Composer, deliver_due
from bot.jobs.requeue import requeue_budget_skipped, requeue_stale_transcriptions
from bot.jobs.work import release_stale_claims

log = logging.getLogger(__name__)

JOB_IDS = ("poll_feeds", "process_pending", "brief_tick", "housekeeping")
CLOCK_JOBS = ("poll_feeds", "brief_tick", "housekeeping")
WORKER_JOBS = ("process_pending",)
STARTUP_JOBS = ("poll_feeds", "process_pending", "brief_tick")


class Jobs:
    """The job bodies, bound to one process's services and publishers."""

    def __init__(
        self,
        services: Services,
        publishers: Mapping[str, Publisher],
        *,
        stop: threading.Event | None = None,
        compose: Composer | None = None,
    ) -> None:
        self.services, self.publishers, self.compose = services, publishers, compose
        self.stop = stop or threading.Event()
        self._busy = 0
        self._busy_lock = threading.Condition()

    def poll_feeds(self) -> object:
        """Poll the feeds whose ``next_poll_at`` has come (the feeds module sets it adaptively)."""
        from bot.feeds.polling import poll_feeds

        result = poll_feeds(self.services, only_due=True)
        return asyncio.run(result) if inspect.isawaitable(result) else result

    def process_pending(self) -> dict[str, int]:
        """Claim and process pending episodes until the queue is empty or we are stopping."""
        from bot.jobs.pipeline import process_pending

        return process_pending(self.services, stop=self.stop)

    def brief_tick(self) -> dict[str, int]:
        """Deliver every channel whose local brief time has passed today and has no brief yet."""
        outcomes = deliver_due(
            self.services, self.publishers, compose=self.compose, stop=self.stop.is_set
        )
        return dict(outcomes)

    def housekeeping(self) -> dict[str, int]:
        """Requeue abandoned claims, lost webhooks and budget skips; prune old ledger rows."""
        settings, now = self.services.settings, self.services.clock.now()
        released = release_stale_claims(
            self.services.engine,
            older_than=timedelta(minutes=settings.claim_timeout_minutes),
            now=now,
            max_attempts=settings.process_max_attempts,
        )
        resumed = requeue_stale_transcriptions(
            self.services.engine,
            now=now,
            older_than=timedelta(seconds=settings.assemblyai_poll_timeout_s),
        )
        retried = requeue_budget_skipped(self.services.engine, now=now)
        cutoff = now.date() - timedelta(days=settings.retention_days)
        pruned = prune_deliveries(self.services.engine, before=cutoff)
        return {"released": released, "resumed": resumed, "retried": retried, "pruned": pruned}

    def guarded(self, name: str) -> Callable[[], None]:
        """``name``'s body, logging failures and counting it as busy while it runs."""
        body = getattr(self, name)

        def run() -> None:
            if self.stop.is_set():
                return
            with self._busy_lock:
                self._busy += 1
            try:
                result = body()
                log.debug("job %s: %s", name, result)
            except Exception:  # a failing run must not kill the schedule
                log.exception("job %s failed", name)
            finally:
                with self._busy_lock:
                    self._busy -= 1
                    self._busy_lock.notify_all()

        return run

    def wait_idle(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for running jobs to finish; True when none is left."""
        with self._busy_lock:
            return self._busy_lock.wait_for(lambda: self._busy == 0, timeout=timeout)


def job_triggers(services: Services) -> dict[str, tuple[IntervalTrigger, int]]:
    """Each job's trigger and misfire grace (seconds): a run later than that is skipped."""
    settings = services.settings
    return {
        "poll_feeds": (IntervalTrigger(minutes=settings.poll_job_minutes, timezone=UTC), 120),
        "process_pending": (
            IntervalTrigger(seconds=settings.process_job_seconds, timezone=UTC),
            60,
        ),
        # A missed tick is harmless (the next one delivers), so the grace stays under a minute.
        "brief_tick": (IntervalTrigger(minutes=1, timezone=UTC), 50),
        "housekeeping": (IntervalTrigger(hours=1, timezone=UTC), 1800),
    }


def build_scheduler(jobs: Jobs, names: Iterable[str] = JOB_IDS) -> BackgroundScheduler:
    """A (not yet started) scheduler running ``names``; the quick jobs also run at start-up."""
    scheduler = BackgroundScheduler(timezone=UTC)
    add_jobs(scheduler, jobs, names)
    return scheduler


def add_jobs(scheduler: BackgroundScheduler, jobs: Jobs, names: Iterable[str]) -> None:
    """Add ``names`` to a scheduler (started or not) with their fixed ids and policies."""
    now = jobs.services.clock.now()
    triggers = job_triggers(jobs.services)
    for name in names:
        trigger, grace = triggers[name]
        # Catch up at once after downtime instead of waiting a whole interval (None would pause).
        start = {"next_run_time": now} if name in STARTUP_JOBS else {}
        scheduler.add_job(
            jobs.guarded(name),
            trigger,
            id=name,
            name=name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=grace,
            replace_existing=True,
            **start,
        )
