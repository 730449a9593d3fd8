"""``podbrief db …``: schema migrations."""

from __future__ import annotations

import typer

from bot.core import db
from bot.core.errors import StartupError
from handlers.cli.output import fail, print_json
from handlers.cli.root import runtime


def register(app: typer.Typer) -> None:
    db_app = typer.Typer(help="Database schema.", no_args_is_help=True)

    @db_app.command("upgrade")
    def upgrade(
        ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")
    ) -> None:
        """Apply Alembic migrations up to the latest revision."""

        rt = runtime(ctx)
        try:
            engine = db.open_database(rt.settings.database_url, migrate=True)
        except StartupError as exc:  # unreachable, missing folder, failed migration
            raise fail(str(exc), 2) from None
        shown = engine.url.render_as_string(hide_password=True)
        if as_json:
            print_json({"database": shown, "revision": "head"})
        else:
            typer.echo(f"database at head ({shown})")

    app.add_typer(db_app, name="db")
