"""A few real devset episodes, imported and processed offline (test helper)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.config import Settings
from bot.core.models import Episode
from bot.core.services import Services
from bot.insights.extractive import ExtractiveEngine
from bot.jobs.pipeline import process_pending
from bot.transcripts.imports import import_episode

DAY = date(2026, 12, 1)
SHOWS = {
    "gotime": "Go Time",
    "shipit": "Ship It!",
    "founderstalk": "Founders Talk",
    "podcast": "The Changelog",
    "jsparty": "JS Party",
}
# Two Go Time episodes, Kubernetes on Ship It!, a founder, Python shows that say "go" a lot.
FILES = [
    "changelog/gotime__go-time-151.md",
    "changelog/gotime__go-time-304.md",
    "changelog/shipit__ship-it-68.md",
    "changelog/podcast__the-changelog-573.md",
    "changelog/founderstalk__founders-talk-38.md",
    "talkpython/407-pytest-tips.vtt",
    "talkpython/371-pipx.vtt",
    "talkpython/111-pythonic-career-advice-and-more.vtt",
]


def load_devset(engine: Engine, devset: Path, files: list[str] = FILES) -> dict[str, int]:
    """Import and process ``files`` of the devset; file stem → episode id."""
    with Session(engine) as session:
        for number, name in enumerate(files, start=1):
            path = devset / name
            show, _, rest = path.stem.partition("__")
            podcast = SHOWS.get(show, "Talk Python To Me") if rest else "Talk Python To Me"
            published = datetime.combine(DAY, datetime.min.time(), tzinfo=UTC)
            import_episode(
                session,
                path.read_bytes(),
                filename=path.name,
                podcast_name=podcast,
                title=(rest or path.stem).replace("-", " "),
                published=published - timedelta(hours=number),
            )
        session.commit()
    settings = Settings(_env_file=None)
    process_pending(
        Services(settings=settings, engine=engine, insight_engine=ExtractiveEngine(settings))
    )
    with Session(engine) as session:
        titles = {e.title: e.id for e in session.exec(select(Episode))}
    return {Path(name).stem: titles[_title(name)] for name in files}


def _title(name: str) -> str:
    stem = Path(name).stem
    return (stem.partition("__")[2] or stem).replace("-", " ")
