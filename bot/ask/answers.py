"""Answers to questions, built from retrieved passages, with timestamped citations."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from bot.core.values import Answer, AskScope, Citation, Passage

if TYPE_CHECKING:
    from sqlmodel import Session

    from bot.core.ports import AnswerWriter
    from bot.core.services import Services

log = logging.getLogger(__name__)


NOT_FOUND = "The retrieved passages don't contain the answer to that question."
NOTHING = "I couldn't find anything about that in the transcripts."
MARKER = re.compile(r"\[(\d+)\]")
WRITER_PASSAGES = 8  # passages handed to the LLM answer writer


def answer_question(
    services: Services, session: Session, question: str, *, scope: AskScope = AskScope()
) -> Answer:
    """Retrieve passages for ``question`` and answer from them, with timestamped citations.

    With an LLM answer writer the answer is written only from the passages; offline (or when
    the writer fails) it is the best 1–3 sentences from the top passages.
    """
    from bot.search.retrieval import search_passages

    passages = search_passages(
        session,
        question,
        scope=scope,
        embedder=services.embedder,
        feedback=services.settings.search_feedback,
    )
    if not passages:
        return Answer(answer=NOTHING, citations=[], passages=[])
    if services.answer_writer is not None:
        try:
            return _written_answer(services.answer_writer, question, passages)
        except Exception as exc:  # a failing LLM still leaves the offline answer
            log.warning("answer writer failed, answering extractively: %s", exc)
    return _extractive_answer(session, question, passages)


def _written_answer(writer: AnswerWriter, question: str, passages: list[Passage]) -> Answer:
    shown = passages[:WRITER_PASSAGES]
    written = writer.write_answer(question, shown)
    if not written.found:
        return Answer(answer=NOT_FOUND, citations=[], passages=passages, engine="llm")
    cited = [n for n in dict.fromkeys(written.cited) if 1 <= n <= len(shown)]
    renumber = {old: new for new, old in enumerate(cited, start=1)}
    text = MARKER.sub(
        lambda m: f"[{renumber[int(m[1])]}]" if int(m[1]) in renumber else "", written.text
    )
    citations = [_citation_of(shown[n - 1]) for n in cited]
    return Answer(
        answer=" ".join(text.split()), citations=citations, passages=passages, engine="llm"
    )


def _extractive_answer(session: Session, question: str, passages: list[Passage]) -> Answer:
    from bot.ask.extractive import best_sentences, idf_weights, sentence_citation
    from bot.search.fulltext import doc_freqs
    from bot.search.terms import content_words

    idf = idf_weights(*doc_freqs(session, content_words(question)))
    sentences = best_sentences(question, passages, idf)
    if not sentences:
        top = passages[0]
        snippet = " ".join(top.text.split()[:60])
        return Answer(answer=f"{snippet} … [1]", citations=[_citation_of(top)], passages=passages)
    citations = [sentence_citation(session, s) for s in sentences]
    text = " ".join(f"{s.text} [{n}]" for n, s in enumerate(sentences, start=1))
    return Answer(answer=text, citations=citations, passages=passages)


def _citation_of(passage: Passage) -> Citation:
    return Citation(**{name: getattr(passage, name) for name in Citation.__dataclass_fields__})
