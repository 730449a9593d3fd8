"""``podbrief usage``: tokens, audio hours and estimated cost; ``podbrief providers``: checks."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import Session

from bot.core.clock import utcnow
from bot.costs.spend import spend_lines
from bot.costs.usage import usage_report
from handlers.cli.output import print_json
from handlers.cli.root import provider_lines, runtime


def register(app: typer.Typer) -> None:
    @app.command("usage")
    def usage(
        ctx: typer.Context,
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
        days: int = typer.Option(30, "--days", min=1, help="How many days back."),
    ) -> None:
        """Paid-service usage and estimated cost (PRICE_* settings) over the last N days."""

        rt = runtime(ctx)
        now = utcnow()
        with Session(rt.engine()) as session:
            report = usage_report(session, days=days, now=now)
            lines = spend_lines(session, rt.settings, now)
        if as_json:
            print_json({**report, "status": lines})
            return
        print_report(report, lines)

    @app.command("providers")
    def providers(
        ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")
    ) -> None:
        """Which paid services are on, and warnings about the configured models."""
        lines = provider_lines(runtime(ctx).settings, utcnow().date())
        if as_json:
            print_json({"lines": lines})
            return
        for line in lines:
            typer.echo(line)


def print_report(report: dict, lines: list[str]) -> None:
    """The usage report as a table, then the status lines."""
    console = Console()
    if not report["rows"]:
        console.print(f"No paid usage yet (last {report['days']} days).", highlight=False)
        for line in lines:
            console.print(line, markup=False, highlight=False)
        return
    table = Table(title=f"Usage since {report['since'][:10]} ({report['days']} days)")
    for column in ("service", "operation", "calls", "input tokens", "output tokens", "audio h"):
        table.add_column(column)
    table.add_column("cost USD", justify="right")
    for row in report["rows"]:
        table.add_row(
            row["service"],
            row["operation"],
            str(row["calls"]),
            f"{row['input_tokens']:,}",
            f"{row['output_tokens']:,}",
            f"{row['audio_hours']:.2f}",
            f"{row['cost_usd']:.4f}",
        )
    console.print(table)
    console.print(f"Total: ${report['total_cost_usd']:.4f} (estimated)")
    for line in lines:
        console.print(line, markup=False)
