"""Answers on the devset: recall@5, direct answers, declines, calibrated on a dev split.

Indexes every transcript of ``../shared/corpus/devset/`` (with the offline engine's insights
and summaries, as ``podbrief process`` stores them) and asks the labelled questions of
``tests/data/answers.yaml``:

- recall@5: the answering passage (its labelled phrase) among the first 5 citable passages
- answered directly: the answer's own sentences hold the labelled answering phrase
- uncovered declined / answerable wrongly declined (``"answered": false``)

The support threshold is chosen as the middle of the thresholds with the most right decisions
that decline at most 5% of answerable questions. Figures are printed at the shipped threshold
(``bot.ask.support.THRESHOLD``, calibrated on all questions) and held out: each split of
``answers.yaml`` judged at the threshold calibrated on the other split.

Run: ``.venv/bin/python -m bench.answers [--no-extract] [--backends sqlite,postgres]``.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import time
import uuid
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.ask import support as support_module
from bot.ask.answers import CITABLE_KINDS, answer_question
from bot.core import db
from bot.core.config import Settings
from bot.core.services import Services
from bot.search.retrieval import search_passages
from tests.ask.devset import DEVSET, DevQuestion, holds_answer, index_devset, load_dev_questions

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MAX_WRONGLY_DECLINED = 0.05


@dataclass(frozen=True)
class Outcome:
    question: DevQuestion
    support: float
    recalled: bool
    direct: bool  # the answer's sentences hold the answering phrase


def evaluate(engine: Engine, questions: list[DevQuestion]) -> list[Outcome]:
    """Ask every question once; support is kept so any threshold can be tried afterwards."""
    services = Services(settings=Settings(_env_file=None), engine=engine)
    support_module.THRESHOLD = 0.0  # answer everything: the threshold is applied below
    outcomes = []
    with Session(engine) as session:
        for q in questions:
            found = search_passages(session, q.question, kinds=CITABLE_KINDS)[:5]
            answer = answer_question(services, session, q.question)
            recalled = q.answerable and any(holds_answer(p, q) for p in found)
            direct = q.answerable and bool(q.phrase) and q.phrase.lower() in _norm(answer.answer)
            outcomes.append(Outcome(q, answer.support, recalled, direct))
    return outcomes


def _norm(value: str) -> str:
    return " ".join(value.split()).lower()


def rates(outcomes: list[Outcome], threshold: float) -> dict[str, float]:
    """recall@5, answered directly, uncovered declined, answerable wrongly declined."""
    answerable = [o for o in outcomes if o.question.answerable]
    uncovered = [o for o in outcomes if not o.question.answerable]
    share = lambda items, test: sum(map(test, items)) / max(1, len(items))  # noqa: E731
    return {
        "recall@5": share(answerable, lambda o: o.recalled),
        "answered directly": share(answerable, lambda o: o.direct and o.support >= threshold),
        "uncovered declined": share(uncovered, lambda o: o.support < threshold),
        "answerable wrongly declined": share(answerable, lambda o: o.support < threshold),
        "n answerable": len(answerable),
        "n uncovered": len(uncovered),
    }


def calibrate(outcomes: list[Outcome]) -> float:
    """The threshold with the most right decisions, declining ≤ 5% of answerable questions;
    of the thresholds that tie, the middle one (the widest margin on either side)."""
    scored = []
    for step in range(0, 201):
        threshold = step / 200
        r = rates(outcomes, threshold)
        if r["answerable wrongly declined"] > MAX_WRONGLY_DECLINED:
            continue
        right = (
            r["uncovered declined"] * r["n uncovered"]
            + (1 - r["answerable wrongly declined"]) * r["n answerable"]
        )
        scored.append((round(right, 6), threshold))
    if not scored:
        return 0.0
    best = max(right for right, _ in scored)
    ties = [threshold for right, threshold in scored if right == best]
    return ties[len(ties) // 2]


def split_of(outcome: Outcome, index: int) -> str:
    """Answerable questions carry their split; uncovered ones alternate dev/test."""
    if outcome.question.answerable:
        return outcome.question.split
    return "dev" if index % 2 == 0 else "test"


def report(name: str, outcomes: list[Outcome]) -> None:
    """Figures at the shipped threshold, and held out: each split judged at the threshold
    calibrated on the other (two-fold), so no figure is tuned on the questions it measures."""
    splits: dict[str, list[Outcome]] = {"dev": [], "test": []}
    uncovered_index = 0
    for o in outcomes:
        index = uncovered_index if not o.question.answerable else 0
        uncovered_index += not o.question.answerable
        splits[split_of(o, index)].append(o)
    print(
        f"{name}: support threshold calibrated on all questions = {calibrate(outcomes):.3f}"
        f" (shipped: {SHIPPED:.3f})"
    )
    _line("all, shipped threshold", outcomes, SHIPPED)
    for held, other in (("test", "dev"), ("dev", "test")):
        threshold = calibrate(splits[other])
        _line(f"{held} held out @{other}'s {threshold:.3f}", splits[held], threshold)
    misses = [o.question.id for o in outcomes if o.question.answerable and not o.recalled]
    declined = [o.question.id for o in outcomes if o.question.answerable and o.support < SHIPPED]
    kept = [o.question.id for o in outcomes if not o.question.answerable and o.support >= SHIPPED]
    indirect = [o.question.id for o in outcomes if o.question.answerable and not o.direct]
    print(
        f"  recall misses: {misses}\n  wrongly declined: {declined}\n"
        f"  uncovered but answered: {kept}\n  not answered directly: {indirect}"
    )


def _line(label: str, items: list[Outcome], threshold: float) -> None:
    r = rates(items, threshold)
    print(
        f"  {label:28}: recall@5 {r['recall@5']:.2f}  "
        f"answered directly {r['answered directly']:.2f}  "
        f"uncovered declined {r['uncovered declined']:.2f}  "
        f"answerable wrongly declined {r['answerable wrongly declined']:.2f}  "
        f"(n={r['n answerable']:.0f}+{r['n uncovered']:.0f})"
    )


SHIPPED = support_module.THRESHOLD


def pg_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def run(name: str, engine: Engine, questions: list[DevQuestion], extract: bool) -> None:
    started = time.perf_counter()
    index_devset(engine, DEVSET, extract=extract)
    print(f"{name}: indexed the devset in {time.perf_counter() - started:.0f} s")
    report(name, evaluate(engine, questions))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-extract", action="store_true", help="transcripts only (faster)")
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    if not DEVSET.is_dir():
        raise SystemExit(f"devset not found at {DEVSET}")
    questions = load_dev_questions()
    backends = args.backends.split(",")
    if "sqlite" in backends:
        with tempfile.TemporaryDirectory() as tmp:
            engine = db.create_db_engine(f"sqlite:///{tmp}/answers.db")
            db.upgrade(engine)
            run("sqlite", engine, questions, not args.no_extract)
            engine.dispose()
    if "postgres" in backends and pg_reachable():
        schema = f"answers_{uuid.uuid4().hex[:8]}"
        admin = db.create_db_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = db.create_db_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
        try:
            db.upgrade(engine)
            run("postgres", engine, questions, not args.no_extract)
        finally:
            engine.dispose()
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
    elif "postgres" in backends:
        print("postgres: 127.0.0.1:5432 not reachable; skipped")


if __name__ == "__main__":
    main()
