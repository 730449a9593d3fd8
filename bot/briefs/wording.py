"""What a subscribed topic means in words: its phrase, names and abbreviations, its head.

"python linters" is about linters (every Python show says "python"), "Go programming" about Go
the language, "Golang" is Go. Related words the corpus teaches are added by
``bot.briefs.profiles.learned_terms``; this module holds only what no corpus can teach: a short
list of names and abbreviations, and which names are also common words.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

from wordfreq import zipf_frequency

from bot.briefs.words import Words, holds, lookup_key, norm, phrase, written

# Names and abbreviations: each group is one thing written several ways.
ALIASES: tuple[tuple[str, ...], ...] = (
    ("go", "golang", "go language", "go lang"),
    ("kubernetes", "k8s"),
    ("javascript", "js", "ecmascript"),
    ("typescript",),
    ("postgres", "postgresql"),
    ("llm", "large language model"),
    ("ml", "machine learning"),
    ("ai", "artificial intelligence"),
    ("genai", "generative ai"),
    ("startup", "founder"),
    ("ci", "continuous integration"),
    ("cd", "continuous delivery", "continuous deployment"),
    # what AI shows call open models (DESIGN.md's own open-source AI example)
    ("open source", "oss", "open-source", "open weight", "open model"),
    ("type hint", "type annotation", "static typing", "type checking"),
    ("gis", "geospatial"),
    ("rust", "rustlang"),
    ("database", "db"),
    ("async", "asyncio", "asynchronous"),
    ("devops", "dev ops"),
)
# Names that are also everyday words: only the capitalised form inside a sentence counts
# (a "Go" subscriber wants the language, not the verb).
CASED = frozenset({"go", "rust", "swift", "dart", "julia", "elixir", "spark", "flutter"})
# Qualifiers that narrow nothing: "Go programming" is Go, "climate tech" is climate.
GENERIC = frozenset(
    {
        "programming", "language", "lang", "development", "dev", "coding", "code", "ecosystem",
        "community", "news", "tip", "trick", "tech", "technology", "engineering", "software",
        "topic", "world", "industry", "stuff", "thing", "advice", "practice", "best",
    }
)  # fmt: skip
# A topic word whose everyday sense differs: it stands for the group, and alone counts less.
ONE_WAY = {"typing": "type hint"}
DROPPED_COMMON = 0.75
GENERAL_ZIPF = 3.5  # "automation" 3.8, "management" 5.1; "linter" 1.5, "maintainers" 2.3
COMMON_SHARE = 0.6  # a word in this share of episodes narrows a topic as little as "python"
EVERYDAY = 5.2  # zipf frequency of words too common to stand for a topic's word
FULL, ALIAS, HEAD, PAIR, TOGETHER, PART_MAX = 1.0, 0.95, 0.9, 0.7, 0.6, 0.45


class Vocabulary(Protocol):
    """Corpus counts the wording needs (``bot.briefs.profiles.ProfileIndex``)."""

    def episode_share(self, word: str) -> float: ...

    def chunk_df(self, key: str) -> int: ...

    @property
    def passages(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Term:
    """One way a topic is written: adjacent words, a weight, and whether it must be a name."""

    words: tuple[str, ...]
    weight: float
    cased: bool = False
    source: str = "topic"  # topic | alias | head | together | part | learned
    together: bool = False  # every word in the same text, in any order ("orchestrating containers")

    @property
    def key(self) -> str:
        """The index key that finds texts holding this term (for ``together``: its first word)."""
        if self.together:
            return self.words[0]
        return lookup_key(self.words, cased=self.cased)

    @property
    def label(self) -> str:
        """The term as a reader sees it in an explanation."""
        shown = [written(word) for word in self.words]
        return " + ".join(shown) if self.together else " ".join(shown)

    def found_in(self, words: Words) -> bool:
        """Whether ``words`` holds this term."""
        if self.together:
            return all(w in words.tokens for w in self.words)
        return holds(words, self.words, cased=self.cased)


@dataclass
class TopicTerms:
    """A topic's terms, strongest first; ``strong`` ones alone put a text on the topic."""

    topic: str
    terms: list[Term]
    head: tuple[str, ...] = ()
    cache: dict = field(default_factory=dict)  # per-pool results (ranking), dropped with it

    @cached_property
    def signature(self) -> tuple:
        """The terms themselves: equal signatures match the same texts."""
        return tuple((t.words, t.weight, t.cased, t.together) for t in self.terms)

    @property
    def words(self) -> set[tuple[str, ...]]:
        return {t.words for t in self.terms if not t.together}

    @property
    def strong(self) -> list[Term]:
        return [t for t in self.terms if t.weight >= HEAD]

    def match(self, words: Words) -> tuple[float, list[Term]]:
        """Noisy-OR relevance of ``words`` to the topic, and the terms found (strongest first)."""
        found = [t for t in self.terms if t.found_in(words)]
        missing = 1.0
        for term in found:
            missing *= 1.0 - term.weight
        return 1.0 - missing, sorted(found, key=lambda t: -t.weight)


def topic_terms(topic: str, vocabulary: Vocabulary | None = None) -> TopicTerms:
    """The terms of ``topic``: the phrase, its names and abbreviations, its head and parts."""
    words = phrase(topic)
    if not words:
        return TopicTerms(topic, [])
    terms: dict[tuple[tuple[str, ...], bool], Term] = {}
    if len(words) == 1 and words[0] in ONE_WAY:
        _add(terms, words, PART_MAX, "topic")  # "typing" a command is not typing
        words = phrase(ONE_WAY[words[0]])
    _add(terms, words, FULL, "topic")
    for alias in _aliases(words):
        _add(terms, alias, ALIAS, "alias")
    if _is_name(words):
        return _finish(topic, terms, words, vocabulary)  # "large language model" is one name
    head = _head(words, vocabulary)
    if head != words:
        weight = _head_weight(head, vocabulary)
        if set(words) - set(head) - GENERIC and _general(head):
            # why: "automation" without the "test" dropped as common is any automation;
            # "linters" without "python" is still linters
            weight = round(weight * DROPPED_COMMON, 3)
        _add(terms, head, weight, "head")
        for alias in _aliases(head):
            _add(terms, alias, weight, "alias")
    if len(head) > 2:
        for pair in itertools.pairwise(head):
            _add(terms, pair, PAIR, "pair")  # "supply chain" of "supply chain security"
            for alias in _aliases(pair):
                _add(terms, alias, PAIR, "alias")
    if len(head) > 1:
        _add(terms, head, TOGETHER, "together", together=True)
        for word in head:
            _add(terms, (word,), _part_weight(word, vocabulary), "part")
    return _finish(topic, terms, head, vocabulary)


def _finish(topic: str, terms: dict, head: tuple[str, ...], vocabulary: Vocabulary | None):
    for term in [t for t in terms.values() if t.source in ("topic", "alias", "head", "pair")]:
        for variant in _variants(term.words, vocabulary):
            _add(terms, variant, term.weight, term.source)
    ordered = sorted(terms.values(), key=lambda t: (-t.weight, t.words))
    return TopicTerms(topic, ordered, head)


def _is_name(words: tuple[str, ...]) -> bool:
    """Whether ``words`` is one of the names and abbreviations (a whole group member)."""
    return len(words) > 1 and any(words == phrase(form) for group in ALIASES for form in group)


def _add(
    terms: dict, words: tuple[str, ...], weight: float, source: str, *, together: bool = False
) -> None:
    cased = len(words) == 1 and words[0] in CASED
    key = (words, cased, together)
    if key not in terms or terms[key].weight < weight:
        terms[key] = Term(words, round(weight, 3), cased, source, together)


def _aliases(words: tuple[str, ...]) -> Iterable[tuple[str, ...]]:
    """Other spellings of ``words`` or of a name inside it ("Go programming" → "golang")."""
    for group in ALIASES:
        forms = [form for form in map(phrase, group) if form]
        if words in forms:
            yield from (form for form in forms if form != words)
        elif len(words) > 1:
            for form in forms:
                if form and _contains(words, form):
                    yield from (
                        _swap(words, form, other) for other in forms if other and other != form
                    )


def _contains(words: tuple[str, ...], part: tuple[str, ...]) -> bool:
    size = len(part)
    return any(words[i : i + size] == part for i in range(len(words) - size + 1))


def _swap(words: tuple[str, ...], part: tuple[str, ...], other: tuple[str, ...]) -> tuple:
    size = len(part)
    for i in range(len(words) - size + 1):
        if words[i : i + size] == part:
            return words[:i] + other + words[i + size :]
    return words


def _head(words: tuple[str, ...], vocabulary: Vocabulary | None) -> tuple[str, ...]:
    """The words that narrow the topic: no generic qualifiers, no words every show says
    ("python" in "python linters") as long as a narrower word remains."""
    head = tuple(w for w in words if w not in GENERIC) or words
    narrow = tuple(w for w in head if _share(w, vocabulary) < COMMON_SHARE)
    return narrow or head


def _general(head: tuple[str, ...]) -> bool:
    """Whether every word left of a topic is a general English word ("automation")."""
    return all(zipf_frequency(word, "en") >= GENERAL_ZIPF for word in head)


def _share(word: str, vocabulary: Vocabulary | None) -> float:
    return vocabulary.episode_share(word) if vocabulary is not None else 0.0


def _head_weight(head: tuple[str, ...], vocabulary: Vocabulary | None) -> float:
    """A head word most shows say ("job") stands for the topic less than a rare one."""
    share = max((_share(w, vocabulary) for w in head), default=0.0) if len(head) == 1 else 0.0
    return round(HEAD * (1.0 - max(0.0, share - 0.3)), 3)


def _part_weight(word: str, vocabulary: Vocabulary | None) -> float:
    """One word of a longer topic: rare words say more ("linter") than common ones ("web")."""
    general = max(0.0, min(1.0, (7.0 - zipf_frequency(word, "en")) / 4.0))
    if vocabulary is None:
        return round(PART_MAX * general, 3)
    rare = specificity(vocabulary.chunk_df(word), vocabulary.passages)
    return round(PART_MAX * math.sqrt(rare * general), 3)


def _variants(words: tuple[str, ...], vocabulary: Vocabulary | None) -> list[tuple[str, ...]]:
    """Other forms of the last word the corpus uses ("testing" → "test", "tests", "tested")."""
    if vocabulary is None or not words or len(words[-1]) < 5:
        return []
    *rest, last = words
    out = []
    for form in _forms(last):
        candidate = (*rest, form)
        key = " ".join(candidate[-2:])  # the pair that ends with the new form
        if form != last and vocabulary.chunk_df(key) > 0:
            out.append(candidate)
    return out


def _forms(word: str) -> set[str]:
    stems: set[str] = {word}
    for suffix in ("ing", "ation", "ion"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            bases = {base, base + "e"} | ({base[:-1]} if base[-1:] * 2 == base[-2:] else set())
            # why: "testing" is "test", but "founding" is not "found" (an everyday word)
            stems |= {b for b in bases if zipf_frequency(b, "en") < EVERYDAY}
    forms = set(stems)
    for stem in stems:
        forms |= {stem + "s", stem + "er", stem + "ing", stem + "ed"}
        if stem.endswith("e"):
            forms |= {stem[:-1] + "ing", stem + "d", stem + "r"}
    return {norm(form) for form in forms}


def specificity(df: int, total: int) -> float:
    """0 for a word in every passage, 1 for a word in one."""
    if total <= 1 or df <= 0:
        return 1.0
    return max(0.0, min(1.0, math.log(total / df) / math.log(total)))
