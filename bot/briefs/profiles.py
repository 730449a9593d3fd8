"""What each episode is about, for topic matching: its feed metadata, summary and transcript.

An episode is a candidate for a topic when its title, show, categories, description, chapters
or summary name it, or when its transcript discusses it at length (many passages name it),
even if none of its stored insights does.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import Counter
from dataclasses import dataclass, field

from wordfreq import zipf_frequency

from bot.briefs.wording import Term, TopicTerms
from bot.briefs.words import Words

log = logging.getLogger(__name__)

# How much a topic named in each field says about the whole episode.
FIELD_WEIGHTS = {
    "title": 0.9,
    "show": 0.8,
    "categories": 0.7,
    "topics": 0.6,
    "description": 0.55,
    "chapters": 0.55,
    "summary": 0.5,
    "insights": 0.5,
}
AT_LENGTH = 0.5  # share of an episode's passages naming a topic for full coverage
MIN_PASSAGES = 2  # … and never fewer passages than this
MIN_EPISODES = 8  # fewer episodes than this cannot tell a common word from a topic
LEARNED_MAX = 0.35
EVERYDAY_ZIPF = 4.5  # words more common than this in English co-occur with everything
LEARNED_EVIDENCE = 0.5  # a learned word counts half as evidence that an episode is about it
LEARNED_FROM = 30  # passages most about the topic, that teach its related words
LEARNED_TERMS = 8
STRONG = 0.5  # passage relevance that makes a passage about the topic
FEW_STRONG = 5  # fewer such passages than this teach too little


@dataclass(frozen=True)
class EpisodeProfile:
    """One episode's words, field by field, and its transcript passages."""

    episode_id: int
    podcast_id: int
    fields: dict[str, Words]
    passages: list[Words]
    speakers: frozenset[str]  # words of speaker names: never learned as topic words


@dataclass(frozen=True)
class EpisodeMatch:
    """How well one episode covers a topic, and where it says so."""

    score: float
    fields: tuple[str, ...]  # metadata fields naming the topic
    passages: int  # transcript passages naming it
    total: int  # transcript passages
    terms: tuple[str, ...]  # the words found, strongest first


@dataclass
class ProfileIndex:
    """Profiles of many episodes with a passage index (word, proper form or pair → passages)."""

    profiles: dict[int, EpisodeProfile]
    postings: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    episode_df: Counter[str] = field(default_factory=Counter)
    passages: int = 0
    tried: set[tuple[int, str]] = field(default_factory=set)  # (episode, topic) with no claim
    topics: dict[str, TopicTerms] = field(default_factory=dict)  # topic text → its terms
    show_words: set[str] = field(default_factory=set)  # words of show names: never learned
    ranked: dict[tuple, tuple] = field(default_factory=dict)  # bot.briefs.candidates' cache
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __post_init__(self) -> None:
        for profile in self.profiles.values():
            seen: set[str] = set()
            for number, words in enumerate(profile.passages):
                keys = words.keys
                seen |= keys
                for key in keys:
                    self.postings.setdefault(key, []).append((profile.episode_id, number))
            for words in profile.fields.values():
                seen |= set(words.tokens)
            self.episode_df.update(seen)
            self.passages += len(profile.passages)
            if "show" in profile.fields:
                self.show_words |= set(profile.fields["show"].tokens)

    def episode_share(self, word: str) -> float:
        """The share of profiled episodes that use ``word`` (0 over too few to tell)."""
        if len(self.profiles) < MIN_EPISODES:
            return 0.0
        return self.episode_df.get(word, 0) / len(self.profiles)

    def chunk_df(self, key: str) -> int:
        """How many passages hold ``key``."""
        return len(self.postings.get(key, ()))

    def matches(self, terms: TopicTerms) -> dict[int, EpisodeMatch]:
        """Every profiled episode that covers the topic, with how well (cached per topic)."""
        if "episodes" not in terms.cache:
            terms.cache["episodes"] = self._matches(terms)
        return terms.cache["episodes"]

    def _matches(self, terms: TopicTerms) -> dict[int, EpisodeMatch]:
        # why: learned words order insights within an episode about the topic; they never
        # make an episode about it ("memory" is not Go)
        own = TopicTerms(terms.topic, [_as_evidence(t) for t in terms.terms])
        passage_hits = self.passage_relevance(own.terms)
        mass: Counter[int] = Counter()
        counted: Counter[int] = Counter()
        for (episode_id, _), value in passage_hits.items():
            mass[episode_id] += value
            counted[episode_id] += 1
        out = {}
        for episode_id, profile in self.profiles.items():
            meta, fields, found = _field_relevance(profile, own)
            need = max(MIN_PASSAGES, AT_LENGTH * len(profile.passages))
            spoken = min(1.0, mass.get(episode_id, 0.0) / need)
            score = 1.0 - (1.0 - meta) * (1.0 - spoken)
            if score > 0:
                out[episode_id] = EpisodeMatch(
                    round(score, 4),
                    fields,
                    counted.get(episode_id, 0),
                    len(profile.passages),
                    tuple(found + [t for t in _spoken_terms(own, profile) if t not in found]),
                )
        return out

    def passage_relevance(self, terms: list[Term]) -> dict[tuple[int, int], float]:
        """Noisy-OR relevance of every passage holding one of ``terms``."""
        missing: dict[tuple[int, int], float] = {}
        for term in terms:
            for place in self.postings.get(term.key, ()):
                if (term.together or len(term.words) > 2) and not term.found_in(
                    self.passage(place)
                ):
                    continue
                missing[place] = missing.get(place, 1.0) * (1.0 - term.weight)
        return {place: 1.0 - value for place, value in missing.items()}

    def passage(self, place: tuple[int, int]) -> Words:
        return self.profiles[place[0]].passages[place[1]]

    def learned_terms(self, terms: TopicTerms) -> list[Term]:
        """Words that co-occur with the topic in passages far more than by chance, weighed by
        how specific they are (``goroutine`` for Go; never a speaker's name)."""
        hits = self.passage_relevance(terms.terms)
        ranked = sorted(hits.items(), key=lambda pair: (-pair[1], pair[0]))[:LEARNED_FROM]
        strong = [place for place, value in ranked if value >= STRONG]
        if len(strong) < FEW_STRONG:
            # why: a phrase topic is rarely said whole ("container orchestration"); the
            # passages naming its rarest part ("orchestration") teach its words then
            parts = [t.weight for t in terms.terms if t.source == "part"]
            enough = min(STRONG, max(parts)) if parts else STRONG
            strong = [place for place, value in ranked if value >= enough]
        if len(strong) < 2 or not self.passages:
            return []
        together: Counter[str] = Counter()
        episodes: dict[str, set[int]] = {}
        for place in strong:
            profile = self.profiles[place[0]]
            for word in set(self.passage(place).tokens) - profile.speakers:
                together[word] += 1
                episodes.setdefault(word, set()).add(place[0])
        # why: a show's name co-occurs with everything its network says ("changelog" is not Go)
        own = {w for term in terms.terms for w in term.words} | self.show_words
        scored = []
        for word, count in together.items():
            share, base = count / len(strong), self.chunk_df(word) / self.passages
            lift = share / base if base else 0.0
            if count < 3 or lift < 4 or share < 0.15 or word in own or len(episodes[word]) < 2:
                continue
            if zipf_frequency(word, "en") > EVERYDAY_ZIPF:
                continue  # an everyday word co-occurs with everything
            scored.append((share * math.log(lift), word, share))
        scored.sort(reverse=True)
        return [
            Term((word,), round(LEARNED_MAX * min(1.0, share * 2), 3), source="learned")
            for _, word, share in scored[:LEARNED_TERMS]
        ]


def _as_evidence(term: Term) -> Term:
    if term.source != "learned":
        return term
    return Term(term.words, round(term.weight * LEARNED_EVIDENCE, 3), source="learned")


def _spoken_terms(terms: TopicTerms, profile: EpisodeProfile) -> list[str]:
    """The topic's words as the episode's passages say them (the first few passages)."""
    found: list[str] = []
    for words in profile.passages:
        for term in terms.match(words)[1]:
            if term.label not in found:
                found.append(term.label)
        if len(found) >= 3:
            break
    return found


def _field_relevance(profile: EpisodeProfile, terms: TopicTerms) -> tuple[float, tuple, list]:
    missing, fields, found = 1.0, [], []
    for name, words in profile.fields.items():
        value, hits = terms.match(words)
        if value > 0:
            missing *= 1.0 - FIELD_WEIGHTS.get(name, 0.5) * value
            fields.append(name)
            found += [t.label for t in hits if t.label not in found]
    return 1.0 - missing, tuple(fields), found
