"""One podbrief process in a role: chat adapters and/or the scheduler, with a clean stop.

Roles (see ``Procfile``): ``web`` Slack over HTTP; ``worker`` the Discord gateway and episode
processing; ``clock`` the scheduler (exactly one, by advisory lock); ``all`` everything in one
process for small installs. SIGTERM stops taking new work, waits up to SHUTDOWN_GRACE_S for
running jobs, releases unfinished claims and returns well inside 25 seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from bot.core.errors import StartupError
from bot.core.ports import Publisher
from bot.core.services import Services, worker_name
from bot.jobs.leadership import ClockLock
from bot.jobs.scheduling import CLOCK_JOBS, WORKER_JOBS, Jobs, add_jobs, build_scheduler
from bot.jobs.work import release_worker

log = logging.getLogger(__name__)

Role = Literal["all", "web", "worker", "clock"]
ROLES: dict[str, set[str]] = {
    "all": {"web", "worker", "clock"},
    "web": {"web"},
    "worker": {"worker"},
    "clock": {"clock"},
}
LOCK_CHECK_S = 60
DISCORD_STOP_S = 3.0
WAKE_S = 0.5


@dataclass
class RunResult:
    """How the process ended: ``clean`` is False when jobs were still running at the deadline."""

    clean: bool
    started: list[str] = field(default_factory=list)
    error: str | None = None  # a start-up fault found after start (Discord login rejected)


def _slack_mode(services: Services) -> str | None:
    """The chat engineer's Slack mode (socket | oauth | http), None when not configured."""
    try:
        from handlers.slack_app.runner import slack_mode
    except ImportError:
        if services.settings.slack_bot_token:
            log.error("Slack tokens are set but the Slack adapter is not installed")
        return None
    return slack_mode(services.settings)


def _discord_thread(
    services: Services, stop: threading.Event, faults: list[str]
) -> Callable[[], None]:
    """Run the async Discord gateway client in its own thread and event loop; returns a joiner."""
    from handlers.discord_bot.runner import run_discord

    async def serve() -> None:
        loop, async_stop = asyncio.get_running_loop(), asyncio.Event()

        def relay() -> None:  # threading.Event → asyncio.Event, across threads
            stop.wait()
            with contextlib.suppress(RuntimeError):  # the loop may already be closed
                loop.call_soon_threadsafe(async_stop.set)

        threading.Thread(target=relay, name="discord-stop", daemon=True).start()
        await run_discord(services, stop=async_stop)

    def main() -> None:
        try:
            asyncio.run(serve())
        except StartupError as exc:  # a rejected token: stop the process with its sentence
            faults.append(str(exc))
            stop.set()
        except Exception:  # a gateway failure must not take the scheduler down
            log.exception("Discord client stopped with an error")

    thread = threading.Thread(target=main, name="discord", daemon=True)
    thread.start()
    return lambda: thread.join(timeout=DISCORD_STOP_S)


def _start_adapters(
    services: Services,
    roles: set[str],
    stop: threading.Event,
    started: list[str],
    faults: list[str],
) -> list[Callable[[], None]]:
    """Start Slack (web) and Discord (worker) when their tokens are set; returns stoppers."""
    stoppers: list[Callable[[], None]] = []
    mode = _slack_mode(services) if "web" in roles else None
    if mode:
        from handlers.slack_app.runner import start_slack

        stoppers.append(start_slack(services))
        started.append("slack")
    if "web" in roles and services.settings.assemblyai_webhook_url and mode in (None, "socket"):
        # Slack's HTTP server mounts the webhook itself; otherwise it gets a server of its own.
        from handlers.web.assemblyai_webhook import start_webhook_server

        try:
            stoppers.append(start_webhook_server(services)[0])
            started.append("assemblyai-webhook")
        except OSError as exc:  # the port is taken: the rest of the process still runs
            log.error("AssemblyAI webhook not served on PORT %s: %s", services.settings.port, exc)
    if "worker" in roles and services.settings.discord_token:
        stoppers.append(_discord_thread(services, stop, faults))
        started.append("discord")
    return stoppers


def run_role(
    services: Services,
    role: Role,
    *,
    stop: threading.Event,
    publishers: dict[str, Publisher],
    say: Callable[[str], None] = print,
) -> RunResult:
    """Run ``role`` until ``stop`` is set; returns after a bounded, clean shutdown."""
    roles = ROLES[role]
    started: list[str] = []
    faults: list[str] = []
    stoppers = _start_adapters(services, roles, stop, started, faults)
    for note in start_notes(role, started, services, publishers):
        say(note)
    jobs = Jobs(services, publishers, stop=stop)
    scheduler = build_scheduler(jobs, WORKER_JOBS if "worker" in roles else ())
    scheduler.start()
    started += [job.id for job in scheduler.get_jobs()]
    lock = ClockLock(services.engine)
    # A standby clock keeps serving its other roles while it waits for the lock.
    if "clock" in roles and lock.wait(stop):
        add_jobs(scheduler, jobs, CLOCK_JOBS)
        started += CLOCK_JOBS
        if lock.needed:
            scheduler.add_job(
                lambda: lock.still_held() or _lost_lock(stop),
                "interval",
                seconds=LOCK_CHECK_S,
                id="clock_lock",
                coalesce=True,
                max_instances=1,
            )
    if not stop.is_set() and started:
        log.info("podbrief running as %s: %s", role, ", ".join(started))
    # Wake up regularly: a signal delivered to another thread only runs its Python handler
    # once the main thread executes bytecode again, and a bare wait() might never return.
    while not stop.wait(WAKE_S):
        pass
    result = _shutdown(services, scheduler, jobs, lock, stoppers, started)
    result.error = faults[0] if faults else None
    return result


def start_notes(
    role: str, started: list[str], services: Services, publishers: dict[str, Publisher]
) -> list[str]:
    """What this process will and will not do, said once and without contradiction."""
    roles = ROLES[role]
    notes: list[str] = []
    if role != "all" and not services.settings.is_postgres:
        notes.append(
            "SQLite: run every role in one process (`podbrief run`); separate roles need "
            "PostgreSQL (DATABASE_URL=postgresql://…)."
        )
    serving = {"slack", "assemblyai-webhook"} & set(started)
    if "web" in roles and not serving:
        notes.append(
            "web: nothing to serve over HTTP: Slack is not configured (SLACK_* settings) and "
            "ASSEMBLYAI_WEBHOOK_URL is not set."
        )
    if roles & {"worker", "clock"} and not {"slack", "discord"} & set(publishers):
        notes.append("No Slack or Discord tokens: briefs print to this terminal.")
    if role == "web" and not serving:
        notes.append("This web process stays idle until stopped (Ctrl-C).")
    return notes


def _lost_lock(stop: threading.Event) -> None:
    log.error("lost the clock lock (database connection dropped); stopping so only one clock runs")
    stop.set()


def _shutdown(services, scheduler, jobs: Jobs, lock: ClockLock, stoppers, started) -> RunResult:
    log.info("stopping: no new work; waiting up to %ss", services.settings.shutdown_grace_s)
    scheduler.shutdown(wait=False)
    for stopper in stoppers:
        try:
            stopper()
        except Exception:  # one adapter failing to stop must not block the others
            log.exception("stopping an adapter failed")
    clean = jobs.wait_idle(services.settings.shutdown_grace_s)
    release_worker(services.engine, worker=worker_name(services))
    lock.release()
    log.info("stopped (%s)", "clean" if clean else "jobs still running; their claims released")
    return RunResult(clean=clean, started=started)
