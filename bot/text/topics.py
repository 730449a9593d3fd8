"""Topic matching that is not purely literal: stems, a small synonym seed, corpus expansion.

A topic becomes weighted terms (a stem, or several stems joined by spaces that must all occur).
An insight's relevance is the noisy-OR of the weights of the terms it contains, so one strong
match (the whole topic phrase) or several weaker ones (synonyms, co-occurring keyphrases) count.
"""

from __future__ import annotations

import logging
import math
import re
import weakref
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import text as sql_text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.models import Insight
from bot.text.keyphrases import stem, stem_set, stems

log = logging.getLogger(__name__)

PHRASE_WEIGHT = 1.0  # the whole topic
PART_WEIGHT = 0.35  # one word of a multi-word topic
LEARNED_MAX = 0.4  # cap for corpus-learned expansions
LEARNED_TERMS = 10

# Hand-written seed: a complement to corpus expansion for the topics teams ask about most.
SYNONYM_SEED: dict[str, dict[str, float]] = {
    "open source": {
        "open weight": 0.75,
        "open weights": 0.75,
        "open model": 0.6,
        "open license": 0.55,
        "llama": 0.5,
        "deepseek": 0.5,
        "mistral": 0.5,
        "qwen": 0.5,
        "hugging face": 0.5,
        "github": 0.3,
        "license": 0.25,
        "community": 0.2,
    },
    "ai": {
        "artificial intelligence": 0.9,
        "llm": 0.7,
        "language model": 0.75,
        "machine learning": 0.7,
        "gpt": 0.6,
        "neural": 0.5,
        "agent": 0.35,
        "inference": 0.45,
        "model": 0.3,
        "fine tune": 0.5,
        "chatbot": 0.5,
        "openai": 0.55,
        "anthropic": 0.55,
        "deepseek": 0.5,
    },
    "developer tools": {
        "devtools": 0.9,
        "ide": 0.55,
        "editor": 0.45,
        "linter": 0.55,
        "compiler": 0.5,
        "debugger": 0.55,
        "cli": 0.45,
        "sdk": 0.45,
        "copilot": 0.5,
        "code review": 0.5,
        "build system": 0.5,
        "package manager": 0.55,
        "ci": 0.35,
        "code": 0.2,
    },
    "security": {
        "vulnerability": 0.6,
        "exploit": 0.55,
        "attack": 0.45,
        "breach": 0.55,
        "cve": 0.6,
        "malware": 0.6,
        "encryption": 0.5,
        "phishing": 0.55,
    },
    "database": {"postgres": 0.6, "postgresql": 0.6, "sql": 0.55, "sqlite": 0.6, "query": 0.3},
    "startups": {"founder": 0.5, "venture": 0.5, "fundraising": 0.55, "seed round": 0.6},
    "podcasting": {"podcast": 0.8, "episode": 0.3, "listener": 0.4, "rss": 0.4, "host": 0.2},
}


def phrase_key(text: str) -> str:
    """A phrase as its stems joined by spaces (the form terms and seeds are matched in)."""
    return " ".join(stems(text))


def _seed_index() -> dict[str, dict[str, float]]:
    return {
        phrase_key(k): {phrase_key(s): w for s, w in v.items() if phrase_key(s)}
        for k, v in SYNONYM_SEED.items()
    }


@dataclass
class CorpusStats:
    """Stem document frequencies over stored insights, for learned expansion."""

    docs: list[frozenset[str]]
    df: Counter[str]
    postings: dict[str, list[int]]
    seed: dict[str, dict[str, float]]
    expansions: dict[str, dict[str, float]] = field(default_factory=dict)


# why: expansion is costly; rebuilt per engine only when insights are added or removed
# Plain SQL: this runs on every search, and building the ORM statement cost more than running it.
STAMP_SQL = sql_text("SELECT count(id), max(id) FROM insight")
_STATS: weakref.WeakKeyDictionary[Engine, tuple[tuple, CorpusStats]] = weakref.WeakKeyDictionary()


def corpus_stats(session: Session) -> CorpusStats:
    """Statistics over every stored insight, cached until insights are added or removed."""
    engine = session.get_bind()
    stamp = tuple(session.execute(STAMP_SQL).one())
    cached = _STATS.get(engine)
    if cached is None or cached[0] != stamp:
        rows = session.exec(select(Insight.text, Insight.topics)).all()
        stats = build_corpus_stats(text + " " + " ".join(t or []) for text, t in rows)
        cached = (stamp, stats)
        _STATS[engine] = cached
    return cached[1]


def build_corpus_stats(texts: Iterable[str]) -> CorpusStats:
    """Document frequencies and postings over ``texts`` (one document each)."""
    docs = [stem_set(text) for text in texts]
    df: Counter[str] = Counter()
    postings: dict[str, list[int]] = {}
    for number, doc in enumerate(docs):
        df.update(doc)
        for term in doc:
            postings.setdefault(term, []).append(number)
    return CorpusStats(docs=docs, df=df, postings=postings, seed=_seed_index())


def expand_terms(session: Session, text: str) -> dict[str, float]:
    """Single stems → weight for a topic or query: its own stems (1.0), seed synonyms and
    stems that co-occur with it in stored insights (< 1). Used by search for query expansion.
    """
    out = {term: 1.0 for term in stems(text)}
    for term, weight in expand_with(corpus_stats(session), text).items():
        parts = term.split()
        share = weight if len(parts) == 1 else weight * 0.5  # a phrase's words alone say less
        for part in parts:
            out[part] = max(out.get(part, 0.0), round(share, 3))
    return out


def expand_with(stats: CorpusStats, text: str) -> dict[str, float]:
    """``expand_terms`` over precomputed statistics (cached per text)."""
    if text not in stats.expansions:
        stats.expansions[text] = _expand(stats, text)
    return stats.expansions[text]


def _expand(stats: CorpusStats, text: str) -> dict[str, float]:
    core = stems(text)
    if not core:
        return {}
    terms: dict[str, float] = {" ".join(core): PHRASE_WEIGHT}
    if len(core) > 1:
        for term in core:
            _raise(terms, term, PART_WEIGHT)
    for key, synonyms in stats.seed.items():
        if _contains(core, key.split()):
            share = _seed_share(key, core)
            for synonym, weight in synonyms.items():
                _raise(terms, synonym, weight * share)
    for term, weight in _learned(stats, terms).items():
        _raise(terms, term, weight)
    return terms


def _seed_share(key: str, core: list[str]) -> float:
    """How much a seed's synonyms count: fully for the whole topic, less for a part of it.

    One word of a longer topic ("ai" in "open-source AI") is weak evidence on its own.
    """
    if key == " ".join(core):
        return PHRASE_WEIGHT
    return 0.85 if " " in key else 0.5


def _raise(terms: dict[str, float], term: str, weight: float) -> None:
    terms[term] = max(terms.get(term, 0.0), weight)


def _contains(sequence: list[str], part: list[str]) -> bool:
    size = len(part)
    return any(sequence[i : i + size] == part for i in range(len(sequence) - size + 1))


def _learned(stats: CorpusStats, terms: dict[str, float]) -> dict[str, float]:
    """Stems that co-occur with the topic in stored insights far more often than by chance."""
    missing: dict[int, float] = {}
    for term, weight in terms.items():
        for number in _with_term(stats, term):
            missing[number] = missing.get(number, 1.0) * (1.0 - weight)
    matching = [n for n, value in missing.items() if 1.0 - value >= 0.7]
    if len(matching) < 2:
        return {}
    together: Counter[str] = Counter()
    for number in matching:
        together.update(stats.docs[number])
    total = len(stats.docs)
    scored = []
    for term, count in together.items():
        share = count / len(matching)
        lift = share / (stats.df[term] / total)
        if count >= 2 and lift >= 1.5 and share >= 0.25 and term not in terms:
            scored.append((share * math.log(lift), term, share))
    scored.sort(reverse=True)
    return {
        term: round(LEARNED_MAX * min(1.0, share * 1.5), 3)
        for _, term, share in scored[:LEARNED_TERMS]
    }


def _with_term(stats: CorpusStats, term: str) -> list[int]:
    parts = term.split()
    hits = stats.postings.get(parts[0], [])
    if len(parts) == 1:
        return hits
    return [n for n in hits if all(p in stats.docs[n] for p in parts[1:])]


def has_term(doc: frozenset[str], term: str) -> bool:
    """Whether ``doc`` holds ``term`` (every stem of a multi-word term)."""
    return term in doc if " " not in term else all(part in doc for part in term.split())


def relevance(terms: dict[str, float], doc: frozenset[str]) -> float:
    """Noisy-OR of the weights of the terms found in ``doc`` (a set of stems)."""
    missing = 1.0
    for term, weight in terms.items():
        if has_term(doc, term):
            missing *= 1.0 - weight
    return 1.0 - missing


def topic_relevance(
    terms: dict[str, float],
    doc: frozenset[str],
    similarity: float | None = None,
    *,
    lexical: float | None = None,
) -> float:
    """Lexical relevance, blended with embedding cosine ``similarity`` when there is one.

    ``lexical`` passes a relevance already computed (ranking walks postings instead).
    """
    if lexical is None:
        lexical = relevance(terms, doc)
    if similarity is None:
        return lexical
    semantic = max(0.0, min(1.0, (similarity - 0.2) / 0.5))
    return max(lexical, 0.5 * lexical + 0.5 * semantic)


def surface_words(terms: Iterable[str], text: str) -> list[str]:
    """Stemmed terms as ``text`` writes them (``sourc`` → ``source``), for people to read."""
    written: dict[str, str] = {}
    for word in re.findall(r"[\w'-]+", text.lower()):
        written.setdefault(stem(word), word)
    return [" ".join(written.get(part, part) for part in term.split()) for term in terms]


def matched_terms(terms: dict[str, float], doc: frozenset[str]) -> list[str]:
    """The terms of ``terms`` found in ``doc``, strongest first (for explanations)."""
    found = [(w, t) for t, w in terms.items() if has_term(doc, t)]
    return [t for _, t in sorted(found, reverse=True)]
