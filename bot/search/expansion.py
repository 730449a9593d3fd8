"""Corpus-derived query expansion: pseudo-relevance feedback over the chunk index.

People ask in their own words; the transcript used others. Words that recur in the passages
the plain query ranks highest, and are rare in the corpus as a whole, are added with a lower
weight (Rocchio-style feedback without a thesaurus or a model).
"""

from __future__ import annotations

import logging
import math
from collections import Counter

from sqlmodel import Session, col, select

from bot.core.models import Chunk
from bot.search.terms import content_words, query_terms, stem

log = logging.getLogger(__name__)

FEEDBACK_DOCS = 3
MAX_TERMS = 6
WEIGHT = 0.35
MIN_DOCS = 2  # a feedback word must recur in at least this many top passages
MAX_LOOKUPS = 12


def corpus_expansions(
    session: Session, question: str, episode_ids: list[int] | None, *, feedback: bool = False
) -> dict[str, float]:
    """Weighted words that widen ``question``: bot.text.topics' expansion when it is available,
    pseudo-relevance feedback when ``feedback`` is on (SEARCH_FEEDBACK; off by default: on the
    question set it did not raise recall and it triples query time at 150k chunks)."""
    try:
        from bot.text.topics import expand_terms  # the insights engineer's topic model
    except ImportError:
        return feedback_terms(session, question, episode_ids) if feedback else {}
    try:
        expanded = expand_terms(session, question)
    except Exception:  # expansion is an improvement, never a reason to fail a search
        log.exception("topic expansion failed; searching the question's own words")
        return feedback_terms(session, question, episode_ids) if feedback else {}
    # Topic terms include whole multi-word phrases (the question itself, for a question);
    # single stems are what widen a bag-of-words search.
    single = {term: weight for term, weight in expanded.items() if " " not in term}
    if feedback:
        single = feedback_terms(session, question, episode_ids) | single
    return single


def feedback_terms(
    session: Session, question: str, episode_ids: list[int] | None
) -> dict[str, float]:
    """Words frequent in the top passages for ``question`` and rare across the corpus."""
    from bot.search.fulltext import doc_freqs, rank_chunks

    terms = query_terms(question)
    if not terms:
        return {}
    top = rank_chunks(session, terms, episode_ids, limit=FEEDBACK_DOCS)
    if len(top) < MIN_DOCS:
        return {}
    texts = session.exec(select(Chunk.text).where(col(Chunk.id).in_([i for i, _ in top]))).all()
    asked = {stem(t.word) for t in terms}
    counts: Counter[str] = Counter()
    for text in texts:  # a list (each word once, in order), not a set: ties among equally
        # recurrent words then break the same way in every process, whatever the hash seed
        counts.update([w for w in content_words(text) if stem(w) not in asked and len(w) > 2])
    # Only the most recurrent words get a document-frequency lookup: it is the costly step.
    recurring = [w for w, n in counts.most_common(MAX_LOOKUPS) if n >= MIN_DOCS]
    if not recurring:
        return {}
    dfs, total = doc_freqs(session, recurring)
    scored = {
        w: math.log((total + 1) / (dfs[w] + 1)) for w in recurring if 0 < dfs[w] < total * 0.1
    }
    best = sorted(scored.items(), key=lambda pair: -pair[1])[:MAX_TERMS]
    if not best:
        return {}
    top_score = best[0][1]
    return {word: round(WEIGHT * score / top_score, 3) for word, score in best}
