"""Composition end to end on the demo's own shows: the topics its "Try next" suggests work."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session
from typer.testing import CliRunner

from bot.briefs.compose import compose_topic_brief
from bot.core import db
from bot.core.config import Settings
from bot.core.services import Services
from handlers.cli.app import build_app


def test_climate_tech_finds_the_climate_show_in_the_demo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'unused.db'}")
    path = tmp_path / "demo.db"
    result = CliRunner().invoke(build_app(), ["demo", "--db", str(path)])
    assert result.exit_code == 0, result.output
    engine = db.create_db_engine(f"sqlite:///{path}")
    services = Services(settings=Settings(_env_file=None), engine=engine)
    with Session(engine) as session:
        brief = compose_topic_brief(services, session, ["climate tech"], date.today())
    engine.dispose()
    assert brief.items, brief.empty_reason
    assert {item.podcast for item in brief.items} == {"Carbon Shift"}
