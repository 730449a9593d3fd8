"""``podbrief db …``: schema migrations."""

from __future__ import annotations

import typer

from bot.core import db
from handlers.cli.root import runtime


def register(app: typer.Typer) -> None:
    db_app = typer.Typer(help="Database schema.", no_args_is_help=True)

    @db_app.command("upgrade")
    def upgrade(ctx: typer.Context) -> None:
        """Apply Alembic migrations up to the latest revision."""

        rt = runtime(ctx)
        engine = db.create_db_engine(rt.settings.database_url)
        db.upgrade(engine)
        typer.echo(f"database at head ({engine.url.render_as_string(hide_password=True)})")

    app.add_typer(db_app, name="db")
