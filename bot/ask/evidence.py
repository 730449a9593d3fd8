"""What may be cited: spoken transcript sentences, never generated text or non-content.

Summary paragraphs, key points and topic lists are the engine's words, not anyone's; intros,
sponsor reads, thanks and banter are said, but prove nothing. A passage's sentences come from
its own transcript segments, so each carries the time it was said.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from sqlalchemy import Row, TextClause, text
from sqlmodel import Session

from bot.core.values import Passage, Segment
from bot.insights.faults import INTRO_RE, SPONSOR_RE
from bot.insights.non_content import non_content
from bot.search.terms import WORD, stem
from bot.text.sentences import Sentence, split_sentences

log = logging.getLogger(__name__)

MIN_WORDS, MAX_WORDS = 6, 70
# "…, right?" asks nothing: the sentence before the tag is a statement.
TAG_QUESTION = re.compile(
    r",?\s*\b(?:right|yeah|you know|correct|huh|no|isn't it|don't you think)\?$", re.I
)
TAG_MIN_WORDS = 8
SPEAKER_LABEL = re.compile(r"^[A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,3}:\s+")


@dataclass(frozen=True)
class Spoken:
    """A citable sentence: what was said, where in which passage."""

    sentence: Sentence
    passage: Passage
    rank: int  # the passage's rank among the evidence (0 = best)

    @property
    def text(self) -> str:
        return self.sentence.text


def citable_passages(passages: Sequence[Passage]) -> list[Passage]:
    """Transcript passages only, each once (a summary or insight chunk is generated text)."""
    seen: set[tuple[int, float]] = set()
    out = []
    for passage in passages:
        key = (passage.episode_id, passage.start)
        if passage.kind == "transcript" and key not in seen:
            seen.add(key)
            out.append(passage)
    return out


def spoken_sentences(
    session: Session, passages: Sequence[Passage], asked: frozenset[str] = frozenset()
) -> list[Spoken]:
    """The citable sentences of each passage, in passage rank then spoken order.

    ``asked`` (stems of the question's words) are hidden from the non-content rules: a
    question about Patreon is not answered by a promotion when the talk names Patreon.
    """
    out: list[Spoken] = []
    said = _segments(session, passages)
    for rank, passage in enumerate(passages):
        sentences = split_sentences(said[rank])
        skipped = non_content([_masked(s, asked) for s in sentences] if asked else sentences)
        for sentence in sentences:
            if label := SPEAKER_LABEL.match(sentence.text):  # "Ann: …" in untimed text
                sentence = replace(sentence, text=sentence.text[label.end() :])
            if sentence.idx not in skipped and is_evidence(sentence.text):
                out.append(Spoken(sentence, passage, rank))
    return out


def _masked(sentence: Sentence, asked: frozenset[str]) -> Sentence:
    text = WORD.sub(lambda m: "it" if stem(m[0]) in asked else m[0], sentence.text)
    return replace(sentence, text=text)


def is_evidence(text: str) -> bool:
    """A whole statement of some substance: not a question, intro, thanks or sponsor read."""
    size = len(text.split())
    return (
        MIN_WORDS <= size <= MAX_WORDS
        and text[:1].isupper()  # a lower-case start is a sentence cut by the chunk boundary
        and not _asks(text)
        and not INTRO_RE.search(text)
        and not SPONSOR_RE.search(text)
    )


def _asks(text: str) -> bool:
    """A question, unless a long statement only ends in a tag ("…, right?")."""
    text = text.rstrip()
    if not text.endswith("?"):
        return False
    statement = TAG_QUESTION.sub("", text)
    return statement == text or len(statement.split()) < TAG_MIN_WORDS


def _segments(session: Session, passages: Sequence[Passage]) -> list[list[Segment]]:
    """Each passage's transcript segments, read in one query."""
    timed = [p for p in passages if p.end > p.start]
    said: defaultdict[int, list[Row]] = defaultdict(list)
    for row in _segment_rows(session, timed) if timed else []:
        said[row[0]].append(row)
    out = []
    for passage in passages:
        if passage.end <= passage.start:  # untimed transcript: times cannot find the segments
            out.append([Segment(passage.start, passage.end, None, passage.text)])
            continue
        out.append(
            [
                Segment(start, end, speaker, words)
                for _, start, end, speaker, words in said[passage.episode_id]
                if passage.start <= start <= passage.end and words.split()
            ]
        )
    return out


def _segment_rows(session: Session, passages: Sequence[Passage]) -> list[Row]:
    """(episode id, start, end, speaker, text) of the segments said within ``passages``, in
    spoken order: plain SQL, as ORM objects and expressions cost a millisecond an answer."""
    params: dict[str, float] = {}
    for n, passage in enumerate(passages):
        params |= {f"e{n}": passage.episode_id, f"a{n}": passage.start, f"b{n}": passage.end}
    return list(session.execute(_segments_sql(len(passages)), params).all())


@lru_cache(maxsize=16)
def _segments_sql(windows: int) -> TextClause:
    within = " OR ".join(
        f"(episode_id = :e{n} AND start >= :a{n} AND start <= :b{n})" for n in range(windows)
    )
    return text(
        f'SELECT episode_id, start, "end", speaker, text FROM segment WHERE {within} '
        "ORDER BY episode_id, idx"
    )
