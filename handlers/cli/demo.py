"""``podbrief demo``: the whole production path offline on the bundled sample podcasts."""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

from handlers.cli.root import build_services, runtime

if TYPE_CHECKING:
    from bot.core.config import Settings
    from bot.demo.run import DemoResult

log = logging.getLogger(__name__)

STAGES = {"poll": "Polling sample feeds", "process": "Transcripts, insights, index"}


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command."""
    app.command("demo")(demo_command)


def demo_command(
    ctx: typer.Context,
    db_path: Path | None = typer.Option(
        None, "--db", help="Keep the demo database in this SQLite file (default: temporary)."
    ),
) -> None:
    """Serve the sample feeds locally, process all nine episodes and print a brief."""

    console = Console()
    started = time.perf_counter()
    if logging.getLogger().level > logging.DEBUG:
        logging.getLogger().setLevel(logging.WARNING)  # the progress display tells the story
    with tempfile.TemporaryDirectory(prefix="podbrief-demo-") as tmp:
        path = db_path or Path(tmp) / "demo.db"
        result = _run(runtime(ctx).settings, f"sqlite:///{path}", console)
    from handlers.console.render import print_brief

    console.print()
    print_brief(console, result.brief)
    console.print()
    for error in result.errors:
        console.print(f"[yellow]warning:[/] {error}")
    seconds = time.perf_counter() - started
    console.print(
        f"[dim]{result.feeds} feeds · {result.processed} episodes processed"
        f"{f' · {result.failed} failed' if result.failed else ''} · {seconds:.1f} s"
        f"{f' · database {db_path}' if db_path else ''}[/]"
    )
    _hint(console, db_path)


def _run(settings: Settings, database_url: str, console: Console) -> DemoResult:
    from bot.core import db
    from bot.demo.run import demo_settings, run_demo, serve_samples

    settings = demo_settings(settings, database_url)
    engine = db.create_db_engine(settings.database_url)
    try:
        db.upgrade(engine)
        services = build_services(settings, engine)
        columns = (
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
        )
        with Progress(*columns, console=console, transient=False) as progress:
            tasks: dict[str, int] = {}

            def report(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = progress.add_task(STAGES.get(stage, stage), total=total)
                progress.update(tasks[stage], completed=done, total=total)

            with serve_samples() as base_url:
                return run_demo(services, base_url, progress=report)
    finally:
        engine.dispose()


def _hint(console: Console, db_path: Path | None) -> None:
    # One export line keeps each command short enough for 80 columns; soft_wrap so a long
    # path is never broken by an inserted newline (the lines must paste into a shell as-is).
    keep = "" if db_path else " (add --db demo.db to keep the data)"
    lines = [f"Try next{keep}:"]
    if db_path:
        lines.append(f"  export DATABASE_URL=sqlite:///{db_path}")
    lines += [
        '  podbrief ask "Why are startups moving to open-weight models?"',
        '  podbrief brief --topic "climate tech"',
        "  podbrief chat",
    ]
    console.print("\n".join(lines), soft_wrap=True, highlight=False)
