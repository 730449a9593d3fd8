"""Index the corpus transcripts into a database and measure recall on the question set."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.core.models import Podcast
from bot.core.values import Passage
from bot.search.index import index_episode
from bot.search.retrieval import search_passages
from tests.fakes.corpus_episodes import add_episode, load_segments

QUESTIONS = Path(__file__).resolve().parents[1] / "data" / "questions.yaml"
SUFFIXES = {".vtt", ".srt", ".txt", ".json", ".html", ".md", ".xsl"}


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    file: str
    phrase: str


def load_questions() -> list[Question]:
    """The question set with the passage (file + phrase) that answers each."""
    return [Question(**item) for item in yaml.safe_load(QUESTIONS.read_text())]


def index_corpus(engine: Engine, corpus: Path) -> dict[str, int]:
    """Every parseable corpus transcript as an episode, indexed; returns file → episode id."""
    root = corpus / "transcripts"
    ids: dict[str, int] = {}
    with Session(engine, expire_on_commit=False) as session:
        podcast = Podcast(url="https://example.test/corpus.xml", title="Corpus")
        session.add(podcast)
        session.flush()
        for path in sorted(p for p in root.rglob("*") if p.suffix in SUFFIXES):
            name = path.relative_to(root).as_posix()
            try:
                segments = load_segments(path)
            except Exception:  # a format the loader cannot read yet is simply not indexed
                continue
            if not segments:
                continue
            audio = f"https://cdn.example.test/{path.stem}.mp3"
            episode = add_episode(session, podcast, name, segments, audio_url=audio)
            index_episode(session, episode.id)
            ids[name] = episode.id
        session.commit()
    return ids


def answers_question(passage: Passage, question: Question) -> bool:
    """Whether ``passage`` is the question's answering passage.

    By phrase alone: the corpus holds some episodes in several formats (SOURCES.md), and the
    same moment found in the episode's other copy answers the question just as well.
    """
    return question.phrase.lower() in " ".join(passage.text.split()).lower()


def recall_at(engine: Engine, questions: list[Question], k: int = 5) -> tuple[float, list[str]]:
    """Share of questions whose answering passage is in the top ``k``, and the misses."""
    misses = []
    with Session(engine) as session:
        for question in questions:
            passages = search_passages(session, question.question, limit=k)
            if not any(answers_question(p, question) for p in passages):
                misses.append(question.id)
    return 1 - len(misses) / len(questions), misses
