"""Offline answers: one or two spoken sentences that carry what the question asks for.

The question's kind (a reason, a number, a name, …) picks sentences that carry that kind of
content; the best passage is read first, and a second sentence is added only when it is the
next thing said there or carries the answer the first lacks.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from bot.ask.evidence import Spoken, spoken_sentences
from bot.core.models import Episode
from bot.core.moments import moment_url
from bot.core.values import Citation, Passage
from bot.search.compounds import split_unseen
from bot.search.proximity import term_weights
from bot.search.questions import QuestionKind, question_kind
from bot.search.terms import WORD, content_words, query_terms, stem

log = logging.getLogger(__name__)

PASSAGES_READ = 5  # the answer comes from the best few passages
CUE_BONUS = 1.0  # a sentence carrying the wanted kind of answer counts this much more
RANK_DISCOUNT = 0.05  # each lower passage rank costs this share
SECOND_RATIO = 0.5  # a second part of a comparison or steps must score this share
CARRY_RATIO = 0.3  # a sentence carrying the answer the best one lacks, at this share
NEAR_SENTENCES = 2  # a second sentence is said within this many of the first


@dataclass(frozen=True)
class Scored:
    spoken: Spoken
    score: float
    carries: bool  # holds the kind of content asked for


def best_sentences(session: Session, question: str, passages: Sequence[Passage]) -> list[Spoken]:
    """One or two sentences that answer ``question``, in spoken order."""
    weights = term_weights(session, split_unseen(session, query_terms(question)))
    kind = question_kind(question)
    spoken = spoken_sentences(session, passages[:PASSAGES_READ], frozenset(weights))
    subjects = frozenset(content_words(question))
    scored = [s for s in (_score(sp, weights, kind, subjects) for sp in spoken) if s.score > 0]
    if not scored:
        return []
    scored.sort(key=lambda s: (-s.score, s.spoken.rank, s.spoken.sentence.start))
    first = scored[0]
    picked = [first.spoken]
    second = _companion(first, scored, kind)
    if second is not None:
        picked.append(second.spoken)
    return sorted(picked, key=lambda s: (s.rank, s.sentence.idx))


def _score(
    spoken: Spoken, weights: dict[str, float], kind: QuestionKind, subjects: frozenset[str]
) -> Scored:
    tokens = WORD.findall(spoken.text)
    stems = {stem(t) for t in tokens}
    overlap = sum(w for s, w in weights.items() if s in stems) / (sum(weights.values()) or 1)
    cue = kind.cue_strength(spoken.text, subjects)
    score = overlap * (1 + CUE_BONUS * cue) / (1 + RANK_DISCOUNT * spoken.rank)
    return Scored(spoken, score, cue >= 1.0)


def _companion(first: Scored, scored: list[Scored], kind: QuestionKind) -> Scored | None:
    """A second sentence said next to the best one: the one that carries the answer when the
    best only sets it up (a reason given after the claim, the number after the subject), or
    for a comparison or steps the next strongest part of the same answer."""
    near = [
        s
        for s in scored
        if s is not first
        and s.spoken.passage == first.spoken.passage
        and 0 < abs(s.spoken.sentence.idx - first.spoken.sentence.idx) <= NEAR_SENTENCES
    ]
    if not first.carries:
        carrying = [s for s in near if s.carries and s.score >= CARRY_RATIO * first.score]
        if carrying:
            return carrying[0]
    if kind.kind in {"comparison", "steps"}:
        strong = [s for s in near if s.score >= SECOND_RATIO * first.score]
        return strong[0] if strong else None
    return None


def sentence_citation(session: Session, spoken: Sequence[Spoken]) -> Citation:
    """One citation for the sentences said in one passage, at the moment the first was said."""
    passage = spoken[0].passage
    text = spoken[0].text
    for before, after in itertools.pairwise(spoken):  # "…" where something was left out
        text += (" " if after.sentence.idx == before.sentence.idx + 1 else " … ") + after.text
    start = spoken[0].sentence.start if passage.end > passage.start else passage.start
    end = max(s.sentence.end for s in spoken) if passage.end > passage.start else passage.end
    url = passage.url
    if start != passage.start:
        episode = session.get(Episode, passage.episode_id)
        url = moment_url(episode.audio_url, episode.link, start) if episode else url
    return Citation(
        podcast=passage.podcast,
        episode=passage.episode,
        episode_id=passage.episode_id,
        start=start,
        end=end,
        text=text,
        url=url,
    )
