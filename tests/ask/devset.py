"""The devset as a followed library, and the labelled dev questions (tests and bench.answers).

Each devset transcript becomes an episode of its show (Talk Python To Me, Go Time, …), so
answers name real shows; with ``extract`` the offline insight engine also stores each
episode's insights and summary, as ``podbrief process`` does, so generated text is in the index
the way it is for a user.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.quality import SHOWS  # the devset's shows, by file-name prefix
from bot.core.models import Podcast
from bot.core.values import Passage
from bot.search.index import index_episode
from tests.fakes.corpus_episodes import add_episode, load_segments

ROOT = Path(__file__).resolve().parents[2]
DEVSET = ROOT.parent / "shared" / "corpus" / "devset"
ANSWERS = ROOT / "tests" / "data" / "answers.yaml"


@dataclass(frozen=True)
class DevQuestion:
    """A question; ``file`` and ``phrase`` name the answering passage (None: not covered)."""

    id: str
    question: str
    file: str | None = None
    phrase: str | None = None
    kind: str = ""  # the question type the answer should have (why, number, who, …)
    split: str = "dev"  # dev: calibrate on it; test: held out

    @property
    def answerable(self) -> bool:
        return self.file is not None


def load_dev_questions(path: Path = ANSWERS) -> list[DevQuestion]:
    """The labelled dev questions, answerable then uncovered."""
    data = yaml.safe_load(path.read_text())
    return [DevQuestion(**q) for q in data["answerable"]] + [
        DevQuestion(**q) for q in data["uncovered"]
    ]


def devset_files(devset: Path = DEVSET) -> list[Path]:
    """Every devset transcript, Talk Python then Changelog, in name order."""
    return sorted(devset.glob("talkpython/*.vtt")) + sorted(devset.glob("changelog/*.md"))


def show_and_title(path: Path) -> tuple[str, str]:
    """The show a devset file belongs to and a readable episode title."""
    if path.parent.name == "talkpython":
        return "Talk Python To Me", re.sub(r"^\d+[_-]", "", path.stem).replace("_", " ")
    show, _, episode = path.stem.partition("__")
    return SHOWS.get(show, show), episode.replace("-", " ")


def index_devset(
    engine: Engine,
    devset: Path = DEVSET,
    *,
    extract: bool = False,
    only: Sequence[str] | None = None,
) -> dict[str, int]:
    """Every devset transcript (or those named ``folder/file`` in ``only``) stored and indexed;
    returns ``folder/file`` → episode id."""
    extractor = _extractor() if extract else None
    ids: dict[str, int] = {}
    podcasts: dict[str, Podcast] = {}
    files = devset_files(devset)
    if only is not None:
        files = [p for p in files if f"{p.parent.name}/{p.name}" in only]
    with Session(engine, expire_on_commit=False) as session:
        for path in files:
            show, title = show_and_title(path)
            if show not in podcasts:
                slug = re.sub(r"\W+", "-", show.lower()).strip("-")
                podcasts[show] = Podcast(url=f"https://example.test/{slug}.xml", title=show)
                session.add(podcasts[show])
                session.flush()
            segments = load_segments(path)
            audio = f"https://cdn.example.test/{path.stem}.mp3"
            episode = add_episode(session, podcasts[show], title, segments, audio_url=audio)
            if extractor is not None:
                extractor(session, episode, show, segments)
            index_episode(session, episode.id)
            ids[f"{path.parent.name}/{path.name}"] = episode.id
        session.commit()
    return ids


def _extractor():
    """Store an episode's offline insights and summary, as the pipeline does."""
    from bot.core.config import Settings
    from bot.core.ports import EpisodeContext
    from bot.insights.extractive import ExtractiveEngine, store_extraction, without_made_up_times

    engine = ExtractiveEngine(Settings(_env_file=None))

    def extract(session: Session, episode, show: str, segments) -> None:
        context = EpisodeContext(episode.id, show, episode.title)
        extraction = without_made_up_times(engine.extract(context, segments), segments)
        store_extraction(session, episode, extraction)

    return extract


def holds_answer(passage: Passage, question: DevQuestion) -> bool:
    """Whether ``passage`` (or a citation) is the question's answering passage, by its phrase."""
    text = " ".join(passage.text.split()).lower()
    return bool(question.phrase) and question.phrase.lower() in text
