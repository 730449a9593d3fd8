"""``podbrief feeds add URL | list | remove ID | poll``: follow and poll podcast feeds."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text
from sqlalchemy import func
from sqlmodel import select

from bot.core import db
from bot.core.errors import PodbriefError
from bot.core.models import Episode, Podcast
from bot.core.urlsafety import shown_name
from bot.feeds.polling import PollOutcome, PollReport, poll_feeds
from bot.feeds.store import add_feed, due_feeds, list_feeds, remove_feed
from handlers.cli.root import runtime

log = logging.getLogger(__name__)


@contextmanager
def _one_line_errors() -> Iterator[None]:
    """Turn a domain error into one line on stderr and exit status 1."""
    try:
        yield
    except PodbriefError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def podcast_json(podcast: Podcast, episodes: int = 0) -> dict:
    """The ``feeds list --json`` shape of one podcast."""
    return {
        "id": podcast.id,
        "title": podcast.title,
        "url": podcast.url,
        "status": podcast.status,
        "episodes": episodes,
        "last_polled_at": _iso(podcast.last_polled_at),
        "last_success_at": _iso(podcast.last_success_at),
        "next_poll_at": _iso(podcast.next_poll_at),
        "poll_interval_minutes": podcast.poll_interval_minutes,
        "failure_count": podcast.failure_count,
        "last_error": podcast.last_error,
    }


def outcome_json(outcome: PollOutcome) -> dict:
    """The ``feeds poll --json`` shape of one feed's poll."""
    data = asdict(outcome)
    data["next_poll_at"] = _iso(outcome.next_poll_at)
    return data


def register(app: typer.Typer) -> None:
    """Add the ``feeds`` command group."""
    feeds_app = typer.Typer(help="Follow and poll podcast feeds.", no_args_is_help=True)

    @feeds_app.command("add")
    def add(
        ctx: typer.Context,
        url: str = typer.Argument(..., help="The feed's http(s) URL."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Follow a feed (polled by `podbrief feeds poll` and the scheduler)."""

        rt = runtime(ctx)
        with _one_line_errors(), db.session_scope(rt.engine()) as session:
            podcast = add_feed(session, url, settings=rt.settings)
            data = podcast_json(podcast)
        if as_json:
            typer.echo(json.dumps(data))
        else:
            typer.echo(f"following #{data['id']} {data['url']} (run `podbrief feeds poll`)")

    @feeds_app.command("list")
    def list_(
        ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")
    ) -> None:
        """Followed feeds with their status, last poll, failure count and last error."""

        with db.session_scope(runtime(ctx).engine()) as session:
            counts = dict(
                session.exec(
                    select(Episode.podcast_id, func.count()).group_by(Episode.podcast_id)
                ).all()
            )
            rows = [podcast_json(p, counts.get(p.id, 0)) for p in list_feeds(session)]
        if as_json:
            typer.echo(json.dumps(rows, indent=2))
        else:
            _print_feeds(rows)

    @feeds_app.command("remove")
    def remove(
        ctx: typer.Context, podcast_id: int = typer.Argument(..., help="Podcast id.")
    ) -> None:
        """Stop following a feed (its episodes and insights are kept)."""

        with _one_line_errors(), db.session_scope(runtime(ctx).engine()) as session:
            podcast = remove_feed(session, podcast_id)
            typer.echo(f"stopped following #{podcast.id} {shown_name(podcast.title, podcast.url)}")

    @feeds_app.command("poll")
    def poll(
        ctx: typer.Context,
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
        all_feeds: bool = typer.Option(False, "--all", help="Poll every feed, due or not."),
    ) -> None:
        """Poll due feeds now: new episodes are stored and queued for processing."""

        services = runtime(ctx).services()
        with db.session_scope(services.engine) as session:
            total = len(due_feeds(session, services.clock.now(), only_due=not all_feeds))
        show_progress = not as_json and sys.stderr.isatty() and total > 0
        report = _run_poll(services, not all_feeds, total, show_progress)
        if as_json:
            typer.echo(json.dumps(_report_json(report), indent=2))
        else:
            _print_report(report)
        if report.outcomes and report.failed == len(report.outcomes):
            raise typer.Exit(1)

    app.add_typer(feeds_app, name="feeds")


def _run_poll(services, only_due: bool, total: int, show_progress: bool) -> PollReport:
    if not show_progress:
        return asyncio.run(poll_feeds(services, only_due=only_due))
    columns = (
        TextColumn("polling feeds"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("", total=total)

        def step(outcome: PollOutcome) -> None:
            progress.update(task, advance=1, description=shown_name(outcome.title, outcome.url))

        return asyncio.run(poll_feeds(services, only_due=only_due, on_progress=step))


def _report_json(report: PollReport) -> dict:
    return {
        "polled": len(report.outcomes),
        "failed": report.failed,
        "new": report.new,
        "queued": report.queued,
        "feeds": [outcome_json(o) for o in report.outcomes],
    }


def _print_report(report: PollReport) -> None:
    console = Console()
    for o in report.outcomes:
        name = shown_name(o.title, o.url)
        if o.status in ("ok", "not_modified"):
            detail = (
                "unchanged" if o.status == "not_modified" else f"{o.new} new, {o.queued} queued"
            )
            console.print(f"#{o.podcast_id} {name}: {detail}", markup=False, highlight=False)
        else:
            console.print(f"#{o.podcast_id} {name}: {o.status}: {o.error}", markup=False)
    console.print(
        f"polled {len(report.outcomes)} feeds: {report.new} new episodes, "
        f"{report.queued} queued, {report.failed} failed",
        highlight=False,
    )


def _print_feeds(rows: list[dict]) -> None:
    if not rows:
        typer.echo("no feeds followed yet: podbrief feeds add URL")
        return
    # Four columns fit an 80-column terminal; the URL sits under the title and folds.
    table = Table("id", "feed", "episodes", "last poll", "status", box=box.SIMPLE_HEAD)
    table.columns[1].overflow = "fold"
    for row in rows:
        last = (row["last_polled_at"] or "never")[:16].replace("T", " ")
        feed = Text(row["title"] or "(untitled)")
        feed.append("\n" + row["url"], style="dim")
        table.add_row(str(row["id"]), feed, str(row["episodes"]), last, _feed_status(row))
    Console().print(table)


def _feed_status(row: dict) -> Text:
    """``active``, or the status with its failure count and last error."""
    if not row["failure_count"] and not row["last_error"]:
        return Text(row["status"])
    text = Text(f"{row['status']} ({row['failure_count']} failures)", style="yellow")
    if row["last_error"]:
        text.append("\n" + row["last_error"], style="dim")
    return text
