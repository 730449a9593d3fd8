"""Topic matching on the devset: precision@5 per wording, empty briefs, related items.

Run: ``.venv/bin/python -m bench.topics [--db FILE] [--show]``. Prints figures only.

Loads every devset transcript (``../shared/corpus/devset/``) as an episode of its show, runs
the offline pipeline (insights, summary, index), then composes a one-topic brief for each
wording in ``tests/data/topics.yaml`` and judges it against the labels there (the episodes
that cover each topic):

- precision@5: the share of a brief's items (at most 5) from an episode labelled with the topic;
- empty briefs: wordings of a topic some loaded episode covers that got no item at all;
- related on-topic: the share of "Also said on" items from an episode labelled with the topic;
- related other-show: the share of them from another show than their item's.

Topics marked ``held_out`` were labelled but not looked at while tuning: reported apart.
``--db FILE`` keeps the processed devset there (reused when present: loading takes a minute).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bench.quality import DEVSET, devset_files, episode_context
from bot.briefs.compose import compose_topic_brief
from bot.core import db
from bot.core.config import Settings
from bot.core.models import Episode
from bot.core.services import Services
from bot.insights.extractive import ExtractiveEngine
from bot.jobs.pipeline import process_pending
from bot.transcripts.imports import import_episode

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "tests" / "data" / "topics.yaml"
DAY = date(2026, 12, 1)


@dataclass
class Tally:
    """Counts over many briefs."""

    items: int = 0
    on_topic: int = 0
    briefs: int = 0
    empty: int = 0
    related: int = 0
    related_on_topic: int = 0
    related_other_show: int = 0
    precisions: list[float] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in ("items", "on_topic", "briefs", "empty", "related"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.related_on_topic += other.related_on_topic
        self.related_other_show += other.related_other_show
        self.precisions += other.precisions

    def line(self) -> str:
        p5 = sum(self.precisions) / len(self.precisions) if self.precisions else 0.0
        rel = self.related_on_topic / self.related if self.related else 0.0
        other = self.related_other_show / self.related if self.related else 0.0
        return (
            f"precision@5 {p5:.2f} over {len(self.precisions)} briefs · empty briefs for covered "
            f"topics {self.empty}/{self.briefs} · related on-topic {rel:.0%} "
            f"({self.related_on_topic}/{self.related}) · related other-show {other:.0%}"
        )


def load_labels(path: Path = LABELS) -> list[dict]:
    """The labelled topics: name, wordings, episodes (file stems), held_out."""
    return yaml.safe_load(path.read_text())["topics"]


def devset_engine(path: Path, devset: Path = DEVSET) -> tuple[Engine, dict[int, str]]:
    """A database holding the processed devset (built when ``path`` does not exist yet), and
    episode id → file stem."""
    fresh = not path.exists()
    engine = db.create_db_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    files = devset_files(devset)
    titles = {episode_context(f, n).title: f.stem for n, f in enumerate(files, start=1)}
    if fresh:
        started = time.perf_counter()
        with Session(engine) as session:
            for number, path_ in enumerate(files, start=1):
                context = episode_context(path_, number)
                published = datetime.combine(DAY, datetime.min.time(), tzinfo=UTC)
                import_episode(
                    session,
                    path_.read_bytes(),
                    filename=path_.name,
                    podcast_name=context.podcast,
                    title=context.title,
                    published=published - timedelta(hours=number),
                )
            session.commit()
        settings = Settings(_env_file=None)
        services = Services(
            settings=settings, engine=engine, insight_engine=ExtractiveEngine(settings)
        )
        process_pending(services)
        print(f"loaded {len(files)} devset episodes in {time.perf_counter() - started:.0f} s")
    with Session(engine) as session:
        stems = {e.id: titles.get(e.title, e.title) for e in session.exec(select(Episode))}
    return engine, stems


def judge(engine: Engine, stems: dict[int, str], topic: dict, wording: str, show: bool) -> Tally:
    """Compose a brief for ``wording`` (rolled back after) and count against the labels."""
    services = Services(settings=Settings(_env_file=None), engine=engine)
    covered = set(topic["episodes"])
    tally = Tally(briefs=1)
    with Session(engine) as session:
        brief = compose_topic_brief(services, session, [wording], DAY)
        session.rollback()
    tally.items = len(brief.items)
    tally.on_topic = sum(stems.get(item.episode_id) in covered for item in brief.items)
    if brief.items:
        tally.precisions.append(tally.on_topic / len(brief.items))
    elif covered:
        tally.empty = 1
        tally.precisions.append(0.0)
    for item in brief.items:
        for related in item.related:
            tally.related += 1
            tally.related_on_topic += stems.get(related.episode_id) in covered
            tally.related_other_show += related.podcast != item.podcast
    if show:
        _show(brief, stems, covered, wording)
    return tally


def _show(brief, stems: dict[int, str], covered: set[str], wording: str) -> None:
    print(f"  ── {wording}: {brief.empty_reason or ''}")
    for item in brief.items:
        mark = "✓" if stems.get(item.episode_id) in covered else "✗"
        print(f"    {mark} {stems.get(item.episode_id)}: {item.text[:90]}")
        print(f"        why: {item.why}")
        for related in item.related:
            mark = "✓" if stems.get(related.episode_id) in covered else "✗"
            stance = getattr(related, "stance", "")
            print(f"        {mark} also ({stance}) {related.podcast}: {related.text[:70]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, help="keep (and reuse) the processed devset here")
    parser.add_argument("--show", action="store_true", help="print every brief")
    parser.add_argument("--only", help="judge only the topic of this name")
    parser.add_argument("--dev", action="store_true", help="skip the held-out topics")
    args = parser.parse_args()
    if not DEVSET.is_dir():
        print(f"devset not found at {DEVSET}: nothing to measure")
        return
    with tempfile.TemporaryDirectory() as tmp:
        engine, stems = devset_engine(args.db or Path(tmp) / "topics.db")
        totals = {False: Tally(), True: Tally()}
        started = time.perf_counter()
        for topic in load_labels():
            if (args.only and topic["name"] != args.only) or (args.dev and topic.get("held_out")):
                continue
            per_topic = Tally()
            for wording in topic["wordings"]:
                tally = judge(engine, stems, topic, wording, args.show)
                p5 = f"{tally.precisions[0]:.2f}" if tally.precisions else "n/a"
                print(f"{topic['name']:>24} · {wording:<32} p@5 {p5}  items {tally.items}")
                per_topic.add(tally)
            totals[bool(topic.get("held_out"))].add(per_topic)
        engine.dispose()
    print(f"dev topics:      {totals[False].line()}")
    print(f"held-out topics: {totals[True].line()}")
    both = Tally()
    both.add(totals[False])
    both.add(totals[True])
    print(f"all topics:      {both.line()}")
    print(f"({time.perf_counter() - started:.1f} s for {both.briefs} briefs)")


if __name__ == "__main__":
    main()
