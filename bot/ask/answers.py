"""Answers to questions, built from retrieved passages, with timestamped citations.

The answer comes first, shaped by the question; then its citations, each a transcript moment
cited once. When the best passages hold too little of what was asked (the support score), the
reply says the followed shows don't cover it and offers the closest thing they do.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.ask.evidence import Spoken, citable_passages
from bot.ask.extractive import best_sentences, sentence_citation
from bot.ask.support import is_covered, support_score
from bot.core.values import Answer, AskScope, Citation, Passage

if TYPE_CHECKING:
    from sqlmodel import Session

    from bot.core.ports import AnswerWriter
    from bot.core.services import Services

log = logging.getLogger(__name__)


NOT_FOUND = "The retrieved passages don't contain the answer to that question."
NOT_COVERED = "The shows you follow don't cover this."
NOTHING = "The shows you follow don't cover this: nothing in their transcripts matches it."
MARKER = re.compile(r"\[(\d+)\]")
REPEATED_MARKER = re.compile(r"(\[\d+\])(?:\s*\1)+")
WRITER_PASSAGES = 8  # passages handed to the LLM answer writer
RETRIEVED = 10  # passages retrieved (and listed with an answer)
CITABLE_KINDS = ("transcript",)  # what was said; summaries and insights are generated text


def answer_question(
    services: Services, session: Session, question: str, *, scope: AskScope = AskScope()
) -> Answer:
    """Retrieve passages for ``question`` and answer from them, with timestamped citations.

    An unknown podcast or episode in ``scope`` raises NotFound naming the closest ones.
    """
    from bot.ask.scope import check_scope
    from bot.search.retrieval import search_passages

    check_scope(session, scope)
    found = search_passages(
        session,
        question,
        scope=scope,
        limit=RETRIEVED,
        embedder=services.embedder,
        feedback=services.settings.search_feedback,
        kinds=CITABLE_KINDS,
    )
    passages, evidence = found, citable_passages(found)
    if not evidence:
        return Answer(answer=NOTHING, citations=[], passages=passages, answered=False, support=0)
    support = support_score(session, question, evidence)
    if not is_covered(support):
        return _not_covered(session, question, evidence, passages, support)
    if services.answer_writer is not None:
        try:
            written = _written_answer(services.answer_writer, question, evidence, passages)
            return _with_support(written, support)
        except Exception as exc:  # a failing LLM still leaves the offline answer
            log.warning("answer writer failed, answering extractively: %s", exc)
    return _with_support(_extractive_answer(session, question, evidence, passages), support)


def _with_support(answer: Answer, support: float) -> Answer:
    return replace(answer, support=support)


def _written_answer(
    writer: AnswerWriter, question: str, evidence: list[Passage], passages: list[Passage]
) -> Answer:
    shown = evidence[:WRITER_PASSAGES]
    written = writer.write_answer(question, shown)
    if not written.found:
        return Answer(
            answer=NOT_FOUND, citations=[], passages=passages, engine="llm", answered=False
        )
    cited = [n for n in dict.fromkeys(written.cited) if 1 <= n <= len(shown)]
    renumber = {old: new for new, old in enumerate(cited, start=1)}
    text = MARKER.sub(
        lambda m: f"[{renumber[int(m[1])]}]" if int(m[1]) in renumber else "", written.text
    )
    text = REPEATED_MARKER.sub(r"\1", " ".join(text.split()))  # "[1] [1]" cites once
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)  # where a dropped marker left a gap
    citations = [citation_of(shown[n - 1]) for n in cited]
    return Answer(answer=text, citations=citations, passages=passages, engine="llm")


def _extractive_answer(
    session: Session, question: str, evidence: list[Passage], passages: list[Passage]
) -> Answer:
    sentences = best_sentences(session, question, evidence)
    if not sentences:
        return _not_covered(session, question, evidence, passages, 0.0)
    groups: dict[Passage, list[Spoken]] = {}
    for spoken in sentences:
        groups.setdefault(spoken.passage, []).append(spoken)
    citations = [sentence_citation(session, group) for group in groups.values()]
    text = " ".join(f"{c.text} [{n}]" for n, c in enumerate(citations, start=1))
    return Answer(answer=text, citations=citations, passages=passages)


def _not_covered(
    session: Session,
    question: str,
    evidence: list[Passage],
    passages: list[Passage],
    support: float,
) -> Answer:
    """Say so plainly, and offer the nearest thing the shows do cover."""
    nearest = best_sentences(session, question, evidence)
    if not nearest:
        return Answer(
            answer=NOT_COVERED, citations=[], passages=passages, answered=False, support=support
        )
    citation = sentence_citation(session, nearest[:1])
    text = (
        f"{NOT_COVERED} The closest: “{citation.text}” in {citation.podcast} · "
        f"{citation.episode} [1]"
    )
    return Answer(
        answer=text, citations=[citation], passages=passages, answered=False, support=support
    )


def citation_of(passage: Passage) -> Citation:
    """A passage as a citation (the fields they share)."""
    return Citation(**{name: getattr(passage, name) for name in Citation.__dataclass_fields__})
