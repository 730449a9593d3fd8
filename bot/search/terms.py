"""Query terms: tokenising, stopwords and stemming the way each database index does it."""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from functools import cache, lru_cache

import snowballstemmer

log = logging.getLogger(__name__)


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")

# The Snowball English stopword list (the one PostgreSQL's ``english`` configuration uses):
# short on purpose, so topic words like "free", "open" or "system" stay searchable.
SNOWBALL_STOPWORDS = _word_set(
    "i me my myself we our ours ourselves you your yours yourself yourselves he him his himself "
    "she her hers herself it its itself they them their theirs themselves what which who whom "
    "this that these those am is are was were be been being have has had having do does did "
    "doing a an the and but if or because as until while of at by for with about against "
    "between into through during before after above below to from up down in out on off over "
    "under again further then once here there when where why how all any both each few more "
    "most other some such no nor not only own same so than too very s t can will just don "
    "should now d ll m o re ve y ain aren couldn didn doesn hadn hasn haven isn ma mightn mustn "
    "needn shan shouldn wasn weren won wouldn "
)

# Words that carry no topic in a question ("what did they say about …").
QUESTION_WORDS = _word_set(
    "what which who whom whose when where why how did does do said say says saying talk talked "
    "talking tell told think thought mention mentioned discuss discussed episode podcast guest "
    "host someone somebody anyone anything something thing things kind sort lot really "
    "according explain explained describe described actually basically usually much many "
    "mean means meant else way ways like just get gets got also even still probably "
)


@dataclass(frozen=True)
class QueryTerm:
    """One word to look for; ``weight`` 1.0 for the asker's words, less for expansions."""

    word: str
    weight: float = 1.0


@cache
def stopwords() -> frozenset[str]:
    """English stopwords plus question filler words."""
    return SNOWBALL_STOPWORDS | QUESTION_WORDS


_per_thread = threading.local()


def _stemmer(algorithm: str) -> snowballstemmer.stemmer:
    # A Snowball stemmer keeps the word being stemmed on itself: threads sharing one garble
    # each other's words (IndexError), and searches and extractions run in parallel threads.
    stemmers = _per_thread.__dict__.setdefault("stemmers", {})
    if algorithm not in stemmers:
        stemmers[algorithm] = snowballstemmer.stemmer(algorithm)
    return stemmers[algorithm]


@lru_cache(maxsize=200_000)
def stem(word: str, algorithm: str = "porter") -> str:
    """Stem like the index: ``porter`` for SQLite FTS5, ``english`` for PostgreSQL."""
    # Cached: the pure-Python stemmer costs ~0.25 ms a word and vocabularies are small.
    return _stemmer(algorithm).stemWord(word.lower())


def words(text: str) -> list[str]:
    """Lower-cased word tokens, apostrophes kept inside words."""
    return [w.lower() for w in WORD.findall(text.replace("\u2019", "'"))]


def content_words(text: str) -> list[str]:
    """Tokens that are not stopwords, in order, without repeats."""
    seen: dict[str, None] = {}
    for word in words(text):
        bare = word.split("'")[0]
        if bare and bare not in stopwords() and word not in stopwords() and len(bare) > 1:
            seen.setdefault(bare, None)
    return list(seen)


def query_terms(text: str, expansions: dict[str, float] | None = None) -> list[QueryTerm]:
    """The asker's content words (weight 1) followed by weighted expansion terms."""
    terms = [QueryTerm(word) for word in content_words(text)]
    present = {stem(t.word) for t in terms}
    for word, weight in (expansions or {}).items():
        if weight > 0 and stem(word) not in present and word not in stopwords():
            terms.append(QueryTerm(word, min(weight, 1.0)))
            present.add(stem(word))
    return terms
