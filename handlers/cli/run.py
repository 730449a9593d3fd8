"""``podbrief run``, ``podbrief process`` and ``podbrief status``."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading

import typer
from rich.progress import Progress

from bot.core.errors import StartupError
from handlers.cli.output import print_json
from handlers.cli.root import check_models, runtime

log = logging.getLogger(__name__)


def _stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM (platform shutdown) and SIGINT (Ctrl-C) ask for a clean stop."""

    def handler(signum, _frame) -> None:
        log.info("received %s", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def _exit_now(services, code: int) -> None:
    """Everything lives in the database and claims are released: exit now, so neither a job
    thread still inside a slow call nor interpreter teardown eats the 25 s stop budget."""
    services.engine.dispose()
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(code)


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run(
        ctx: typer.Context,
        role: str = typer.Option(
            "all", "--role", help="all | web (Slack HTTP) | worker (Discord, processing) | clock"
        ),
    ) -> None:
        """The bot: Slack and/or Discord (whichever tokens are set) and the scheduler."""
        from handlers.runtime.process import ROLES, run_role

        if role not in ROLES:
            raise typer.BadParameter(f"role must be one of {', '.join(ROLES)}", param_hint="--role")
        # APScheduler logs every run at INFO; a brief tick a minute would drown the real news.
        logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
        services = runtime(ctx).services()
        check_models(services.settings)  # warns about retired/unserved models
        stop = threading.Event()
        _stop_on_signals(stop)
        try:
            result = run_role(
                services, role, stop=stop, publishers=services.publishers, say=typer.echo
            )
        except StartupError as exc:  # a rejected token or a taken port: one sentence
            typer.echo(f"error: {exc}", err=True)
            _exit_now(services, 2)
        if result.error:
            typer.echo(f"error: {result.error}", err=True)
            _exit_now(services, 2)
        log.info("podbrief %s stopped (%s)", role, "clean" if result.clean else "forced")
        _exit_now(services, 0)

    @app.command("process")
    def process(
        ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="print JSON")
    ) -> None:
        """Transcripts, insights and index for pending episodes (once, then exit)."""
        from bot.jobs.pipeline import process_pending

        services = runtime(ctx).services()
        stop = threading.Event()
        _stop_on_signals(stop)
        if as_json:
            counts = process_pending(services, stop=stop)
            print_json({"dead": 0, **counts})
            return
        with Progress(transient=True) as progress:
            task = progress.add_task("processing episodes", total=None)

            def on_progress(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            counts = process_pending(services, on_progress, stop=stop)
        typer.echo(", ".join(f"{count} {name}" for name, count in counts.items()))

    @app.command("status")
    def status(
        ctx: typer.Context,
        as_json: bool = typer.Option(False, "--json", help="print JSON"),
    ) -> None:
        """Last poll, failing feeds, queue, dead letters and each channel's next brief."""
        from bot.core.db import session_scope
        from bot.reports.status import gather_status

        services = runtime(ctx).services()
        with session_scope(services.engine) as session:
            report = gather_status(services, session)
        if as_json:
            print_json(report.to_json())
        else:
            typer.echo("\n".join(report.lines()))
