"""What an offline answer may quote, and what kind of answer a question wants."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlmodel import Session

from bot.ask.evidence import _segments, citable_passages, is_evidence
from bot.core.values import Passage
from bot.search.questions import question_kind
from tests.fakes.search_library import build_library


def _passage(kind: str, start: float = 0.0) -> Passage:
    return Passage("Show", "Ep", 1, start, start + 60, "text", "u", kind=kind)


def test_only_transcript_passages_are_citable_each_once():
    passages = [_passage("summary"), _passage("transcript"), _passage("insight")]
    passages += [_passage("transcript"), _passage("transcript", 60.0)]
    assert [(p.kind, p.start) for p in citable_passages(passages)] == [
        ("transcript", 0.0),
        ("transcript", 60.0),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Welcome to Carbon Shift, I'm Alex Morgan.",
        "This episode is brought to you by Sentry, use the code TALKPYTHON.",
        "Why do teams fine-tune open models these days?",
        "and then it outputs a wheel for every platform.",
        "Thanks for having me on.",
    ],
)
def test_intros_sponsor_reads_questions_and_fragments_are_not_evidence(text):
    assert not is_evidence(text)


def test_a_statement_with_a_tag_question_is_evidence():
    assert is_evidence("Sir James Dyson failed 5,000 times in 15 years, right?")


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Why does a scraping team monitor its spiders?", "reason"),
        ("How much faster is Pydantic 2?", "number"),
        ("Who created Chartify?", "name"),
        ("What is Supabase?", "definition"),
        ("How do I port a Flask app to Quart?", "steps"),
        ("What's the difference between pipx run and pipx install?", "comparison"),
    ],
)
def test_question_kinds(question, kind):
    assert question_kind(question).kind == kind


def test_sentence_cues_match_the_kind():
    assert question_kind("What is Quart?").carried_by("So Quart is a web micro framework.")
    assert not question_kind("What is Quart?").carried_by("For Quart we just use the socket.")
    assert question_kind("How many?").carried_by("We are 130 people.")


def test_each_passage_reads_its_own_segments_all_in_one_query(any_engine):
    with Session(any_engine, expire_on_commit=False) as session:
        ids = build_library(session)
    spring, brakes, autumn = ids["spring"], ids["brakes"], ids["autumn"]
    passages = [  # two windows of one episode, one of another, one untimed
        Passage("Garden Hour", "Spring beds", spring, 40, 60, "…", "u"),
        Passage("Motoring Weekly", "Brakes", brakes, 30, 60, "…", "u"),
        Passage("Garden Hour", "Spring beds", spring, 0, 20, "…", "u"),
        Passage("Garden Hour", "Autumn leaves", autumn, 0, 0, "Untimed words.", "u"),
    ]
    seen: list[str] = []
    record = lambda conn, cursor, statement, *_: seen.append(statement)  # noqa: E731
    event.listen(any_engine, "before_cursor_execute", record)
    with Session(any_engine) as session:
        said = _segments(session, passages)
    event.remove(any_engine, "before_cursor_execute", record)
    assert [[(s.start, s.text.split()[0]) for s in segments] for segments in said] == [
        [(40, "Tomatoes"), (60, "Slugs")],  # each segment that starts inside the window
        [(30, "My"), (60, "Electric")],
        [(0, "Welcome"), (20, "Today")],
        [(0, "Untimed")],  # the passage's own text, where times cannot find segments
    ]
    assert len(seen) == 1
