"""Recall@5 of the answering passage over the corpus transcripts, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.fakes.corpus_index import index_corpus, load_questions, recall_at

TARGET = 0.85


@pytest.fixture(scope="module")
def questions():
    return load_questions()


def test_question_set_is_large_enough_and_well_formed(questions):
    assert len(questions) >= 40
    assert len({q.id for q in questions}) == len(questions)
    assert all(q.phrase and q.question.endswith("?") for q in questions)


def test_recall_at_5_meets_target(any_engine, corpus, questions):
    indexed = index_corpus(any_engine, corpus)
    missing = {q.file for q in questions} - set(indexed)
    assert not missing, f"question files not indexed: {missing}"
    recall, misses = recall_at(any_engine, questions, k=5)
    assert recall >= TARGET, f"recall@5 {recall:.3f} < {TARGET}; missed {misses}"
