"""``podbrief demo``: the whole production path offline on the bundled sample podcasts."""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

from bot.core.errors import StartupError
from handlers.cli.output import fail, print_json
from handlers.cli.root import build_services, runtime

if TYPE_CHECKING:
    from bot.core.config import Settings
    from bot.demo.run import DemoResult

log = logging.getLogger(__name__)

DEMO_DB = "demo.db"  # what `make demo` keeps, and `make ask` / `make chat` read
QUESTION = "Why are startups moving to open-weight models?"
STAGES = {"poll": "Polling sample feeds", "process": "Transcripts, insights, index"}


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command."""
    app.command("demo")(demo_command)


def demo_command(
    ctx: typer.Context,
    db_path: Path | None = typer.Option(
        None, "--db", help="Keep the demo database in this SQLite file (default: temporary)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (progress goes to stderr)."),
) -> None:
    """Serve the sample feeds locally, process all nine episodes and print a brief."""

    console = Console(stderr=as_json)
    started = time.perf_counter()
    if logging.getLogger().level > logging.DEBUG:
        logging.getLogger().setLevel(logging.WARNING)  # the progress display tells the story
    with tempfile.TemporaryDirectory(prefix="podbrief-demo-") as tmp:
        path = db_path or Path(tmp) / "demo.db"
        result = _run(runtime(ctx).settings, f"sqlite:///{path}", console)
    if as_json:
        print_json(_demo_json(result, db_path))
        return
    from handlers.console.render import print_brief

    console.print()
    print_brief(console, result.brief)
    console.print()
    for error in result.errors:
        console.print(f"[yellow]warning:[/] {error}")
    seconds = time.perf_counter() - started
    earlier = result.ready - result.processed
    reused = f" ({earlier} from an earlier run, reused)" if earlier > 0 else ""
    console.print(
        f"[dim]{result.feeds} feeds · {result.ready} episodes processed{reused}"
        f"{f' · {result.failed} failed' if result.failed else ''} · {seconds:.1f} s"
        f"{f' · database {db_path}' if db_path else ''}[/]"
    )
    _hint(console, db_path)


def _demo_json(result: DemoResult, db_path: Path | None) -> dict:
    """``demo --json``: what ran and the brief, in the ``brief --json`` shape."""
    return {
        "feeds": result.feeds,
        "processed": result.processed,
        "ready": result.ready,
        "failed": result.failed,
        "errors": result.errors,
        "database": str(db_path) if db_path else None,
        "brief": result.brief.to_json(),
    }


def _run(settings: Settings, database_url: str, console: Console) -> DemoResult:
    from bot.core import db
    from bot.demo.run import demo_settings, run_demo, serve_samples

    settings = demo_settings(settings, database_url)
    try:
        engine = db.open_database(settings.database_url)
    except StartupError as exc:
        raise fail(str(exc), 2) from None
    try:
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
    """Commands to go on with, spelled so they work as printed (PATH or not, venv or not)."""
    if db_path is None:
        lines = [
            "This demo's data is gone. Keep it to go on asking questions:",
            f"  {program()} demo --db demo.db",
        ]
        console.print("\n".join(lines), soft_wrap=True, highlight=False)
        return
    # One env prefix per line keeps each command self-contained and pasteable; soft_wrap so
    # a long path is never broken by an inserted newline.
    env = f"DATABASE_URL=sqlite:///{db_path}"
    lines = [
        "Try next:",
        f'  {env} {program()} ask "{QUESTION}"',
        f'  {env} {program()} brief --topic "climate tech"',
        f"  {env} {program()} chat",
    ]
    if Path("Makefile").is_file() and db_path == Path(DEMO_DB):
        lines.append(f'  or: make ask Q="{QUESTION}" · make chat')
    console.print("\n".join(lines), soft_wrap=True, highlight=False)


def program() -> str:
    """How to run podbrief from here: ``podbrief`` when PATH finds this install, else its path."""
    beside = Path(sys.executable).parent / "podbrief"
    found = shutil.which("podbrief")
    if found and (not beside.exists() or Path(found).resolve() == beside.resolve()):
        return "podbrief"
    if not beside.exists():
        return "podbrief"
    try:
        return str(beside.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(beside.absolute())
