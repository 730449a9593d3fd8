"""``podbrief feeds add URL | list | remove ID | poll``: follow and poll podcast feeds."""

from __future__ import annotations

import asyncio
import logging
import sys
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text
from sqlalchemy import func
from sqlmodel import select

from bot.core import db
from bot.core.config import Settings
from bot.core.errors import PodbriefError
from bot.core.models import Episode, Podcast
from bot.core.urlsafety import shown_name
from bot.feeds.health import feed_health, plain_error
from bot.feeds.polling import PollOutcome, PollReport, poll_feeds
from bot.feeds.store import due_feeds, get_podcast, list_feeds, remove_feed
from handlers.cli.output import one_line_errors, print_json
from handlers.cli.root import runtime

if TYPE_CHECKING:
    from bot.feeds.following import FollowResult

log = logging.getLogger(__name__)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def podcast_json(podcast: Podcast, settings: Settings, episodes: int = 0) -> dict:
    """The ``feeds list --json`` shape of one podcast (``health`` as bot/feeds/health.py says)."""
    health = feed_health(podcast, settings)
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
        "demo": bool(podcast.demo_sample),
        "health": health.to_json(),
        "health_text": health.summary(),
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
        url: str = typer.Argument(..., help="The feed's http(s) URL, or the show's web page."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
        anyway: bool = typer.Option(
            False, "--anyway", help="Follow even if the feed cannot be fetched right now."
        ),
        now: bool = typer.Option(
            False, "--now", help="Process the queued episodes now instead of leaving them to run."
        ),
    ) -> None:
        """Fetch a feed, then follow it and queue its newest episodes."""
        from bot.feeds.following import follow_feed
        from bot.jobs.pipeline import process_pending

        services = runtime(ctx).services()
        with one_line_errors():
            try:
                followed = follow_feed(services, url, anyway=anyway)
            except PodbriefError as exc:
                raise PodbriefError(
                    f"{exc}. Nothing was followed (--anyway follows it regardless)."
                ) from None
        processed = process_pending(services) if now and followed.queued else None
        with db.session_scope(services.engine) as session:
            podcast = get_podcast(session, followed.podcast_id)
            data = {**podcast_json(podcast, services.settings, _count(session, podcast.id))}
        data.update(followed.to_json(), processed=processed)
        if as_json:
            print_json(data)
        else:
            typer.echo(_followed_text(followed, processed))

    @feeds_app.command("list")
    def list_(
        ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")
    ) -> None:
        """Followed feeds with their health, last poll, failure count and last error."""

        rt = runtime(ctx)
        with db.session_scope(rt.engine()) as session:
            counts = dict(
                session.exec(
                    select(Episode.podcast_id, func.count()).group_by(Episode.podcast_id)
                ).all()
            )
            rows = [podcast_json(p, rt.settings, counts.get(p.id, 0)) for p in list_feeds(session)]
        if as_json:
            print_json(rows)
        else:
            _print_feeds(rows)

    @feeds_app.command("remove")
    def remove(
        ctx: typer.Context,
        podcast_id: int = typer.Argument(..., help="Podcast id."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Stop following a feed (its episodes and insights are kept)."""

        rt = runtime(ctx)
        with one_line_errors(), db.session_scope(rt.engine()) as session:
            podcast = remove_feed(session, podcast_id)
            data = podcast_json(podcast, rt.settings, _count(session, podcast.id))
        if as_json:
            print_json(data)
        else:
            typer.echo(f"stopped following #{data['id']} {shown_name(data['title'], data['url'])}")

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
        # each outcome is printed below; the poller's own log line would say it twice
        logging.getLogger("bot.feeds.polling").setLevel(logging.WARNING)
        report = _run_poll(services, not all_feeds, total, show_progress)
        if as_json:
            print_json(_report_json(report))
        else:
            _print_report(report)
        if report.outcomes and report.failed == len(report.outcomes):
            raise typer.Exit(1)

    app.add_typer(feeds_app, name="feeds")


def _count(session, podcast_id: int | None) -> int:
    return session.exec(select(func.count()).where(Episode.podcast_id == podcast_id)).one()


def _followed_text(followed: FollowResult, processed: dict[str, int] | None) -> str:
    """What `feeds add` says: the show, its episodes, the newest, what happens next."""
    if followed.unchecked:
        return (
            f"warning: {followed.unchecked}\nfollowing #{followed.podcast_id} {followed.name} "
            "anyway: it is polled as usual and shows as retrying until it answers"
        )
    verb = "already following" if followed.already else "following"
    lines = [f"{verb} #{followed.podcast_id} {followed.name}: {_episodes_text(followed)}"]
    if processed is not None:
        lines.append("processed now: " + ", ".join(f"{n} {k}" for k, n in processed.items()))
    elif followed.queued:
        lines.append(
            f"queued the newest {followed.queued} for transcripts and insights: "
            "`podbrief run` processes them (or add --now next time)"
        )
    return "\n".join(lines)


def _episodes_text(followed: FollowResult) -> str:
    count = f"{followed.episodes} episode{'s' if followed.episodes != 1 else ''}"
    if not followed.newest_title:
        return count
    when = f" ({followed.newest_at:%Y-%m-%d})" if followed.newest_at else ""
    return f"{count}, newest “{followed.newest_title}”{when}"


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
            console.print(
                f"#{o.podcast_id} {name}: {o.status}: {plain_error(o.error)}", markup=False
            )
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
        if row["demo"]:
            last = "demo only"
        feed = Text(row["title"] or "(untitled)")
        feed.append("\n" + row["url"], style="dim")
        table.add_row(str(row["id"]), feed, str(row["episodes"]), last, _feed_status(row))
    Console().print(table)


def _feed_status(row: dict) -> Text:
    """The health state, then the failures, next try and last error in words."""
    state = row["health"]["state"]
    style = {"retrying": "yellow", "failing": "red", "gone": "red"}.get(state, "")
    text = Text(state, style=style)
    detail = row["health_text"].removeprefix(state).lstrip(" :")
    if detail:
        text.append("\n" + detail, style="dim")
    return text
