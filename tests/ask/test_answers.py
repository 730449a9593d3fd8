"""Answers: extractive offline, written by an LLM port, with checked citations."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from bot.ask.answers import NOT_FOUND, NOTHING, answer_question
from bot.core.models import TranscriptSegment
from bot.core.ports import WrittenAnswer
from bot.core.services import Services
from bot.core.values import AskScope
from tests.fakes.corpus_index import index_corpus
from tests.fakes.search_library import build_library
from tests.fakes.search_writer import ScriptedWriter


@pytest.fixture
def library(any_engine, settings):
    with Session(any_engine, expire_on_commit=False) as session:
        ids = build_library(session)
    services = Services(settings=settings, engine=any_engine)
    with Session(any_engine, expire_on_commit=False) as session:
        yield services, session, ids


def test_extractive_answer_quotes_the_transcript_and_cites_the_moment(library):
    services, session, ids = library
    answer = answer_question(services, session, "How can I keep slugs away from lettuce?")
    assert answer.engine == "extractive"
    assert "copper tape" in answer.answer.lower()
    assert "[1]" in answer.answer
    first = answer.citations[0]
    assert first.episode_id == ids["spring"]
    assert (first.start, first.end) == (60, 80)  # the segment that says it
    assert first.url == "https://cdn.example/garden/spring.mp3#t=60"
    assert 1 <= len(answer.citations) <= 3
    assert len(answer.passages) <= 10


def test_answer_json_has_the_contract_shape(library):
    services, session, _ = library
    data = answer_question(services, session, "brake pads").to_json()
    assert set(data) >= {"answer", "citations", "passages"}
    fields = {"podcast", "episode", "episode_id", "start", "end", "text", "url"}
    assert all(set(c) >= fields for c in data["citations"])
    assert all(set(p) >= fields | {"score"} for p in data["passages"])
    scores = [p["score"] for p in data["passages"]]
    assert scores == sorted(scores, reverse=True)


def test_no_matching_passages_says_so(library):
    services, session, _ = library
    answer = answer_question(services, session, "quantum chromodynamics")
    assert (answer.answer, answer.citations, answer.passages) == (NOTHING, [], [])


def test_scope_limits_the_answer_to_one_episode(library):
    services, session, ids = library
    answer = answer_question(
        services, session, "compost slugs brakes", scope=AskScope(episode_id=ids["autumn"])
    )
    assert {c.episode_id for c in answer.citations} == {ids["autumn"]}


def test_llm_answer_is_shown_transcript_passages_and_cites_each_once(library):
    services, session, ids = library
    services.answer_writer = ScriptedWriter(
        WrittenAnswer(text="Use copper tape [2], and water deeply [1] [1].", cited=[2, 1, 1])
    )
    question = "How should I water tomatoes and stop slugs?"
    answer = answer_question(services, session, question)
    asked, shown = services.answer_writer.calls[0]
    assert asked == question
    assert {p.kind for p in shown} == {"transcript"}  # never a summary or insight chunk
    assert answer.engine == "llm" and answer.answered
    # shown[1] does not exist (one transcript passage): its marker is dropped, [1] is kept once
    assert answer.answer == "Use copper tape, and water deeply [1]."
    assert [c.text for c in answer.citations] == [shown[0].text]
    assert answer.citations[0].episode_id == ids["spring"]


def test_llm_says_plainly_when_passages_lack_the_answer(library):
    services, session, _ = library
    services.answer_writer = ScriptedWriter(WrittenAnswer(text="", cited=[], found=False))
    answer = answer_question(services, session, "How often do tomatoes need watering?")
    assert answer.answer == NOT_FOUND and not answer.answered
    assert answer.citations == []
    assert answer.passages  # what was searched is still shown


def test_failing_llm_falls_back_to_the_extractive_answer(library):
    services, session, _ = library
    services.answer_writer = ScriptedWriter(fail=True)
    answer = answer_question(services, session, "How can I keep slugs away from lettuce?")
    assert answer.engine == "extractive"
    assert "copper tape" in answer.answer.lower()


def test_corpus_citations_match_the_transcript(engine, corpus, settings):
    ids = index_corpus(engine, corpus)
    services = Services(settings=settings, engine=engine)
    with Session(engine) as session:
        answer = answer_question(services, session, "What are PID loops used for?")
        assert answer.citations
        for citation in answer.citations:
            segments = session.exec(
                select(TranscriptSegment)
                .where(TranscriptSegment.episode_id == citation.episode_id)
                .where(TranscriptSegment.start >= citation.start)
                .where(TranscriptSegment.start <= citation.end)
            ).all()
            spoken = " ".join(" ".join(s.text.split()) for s in segments)
            assert citation.text in spoken
            assert citation.url.endswith(f"#t={int(citation.start)}")
        zen = next(name for name in ids if name.startswith("podcast-transcript-convert/Zenlytic"))
        assert answer.citations[0].episode_id == ids[zen]


def test_a_sentence_found_in_several_chunks_is_cited_once(library):
    services, session, _ = library
    # The spring episode's insight quotes the transcript: both chunks hold the sentence.
    answer = answer_question(services, session, "copper tape around the beds")
    texts = [c.text for c in answer.citations]
    assert len(texts) == len(set(texts))
