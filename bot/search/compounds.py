"""Words the asker writes joined that speech-to-text writes apart: "utcnow" is "UTC now".

A transcript spells an identifier as it is spoken ("utc now", "scraping hub"), so the joined
word the asker types matches nothing. A question word the index has never seen is split into
two parts the index does know, and the parts are searched instead.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlmodel import Session

from bot.search.terms import QueryTerm, stem, stopwords

log = logging.getLogger(__name__)

MIN_PART = 3  # "utc" + "now"; shorter parts ("a" + "sync") split almost any word


def split_unseen(
    session: Session, terms: Sequence[QueryTerm], keep: frozenset[str] = frozenset()
) -> list[QueryTerm]:
    """``terms`` with each of the asker's unseen words replaced by its two known parts;
    words whose stem is in ``keep`` (an episode title's words) stay whole."""
    from bot.search.fulltext import doc_freqs

    asked = [t.word for t in terms if t.weight >= 1.0 and stem(t.word) not in keep]
    seen, _ = doc_freqs(session, asked)
    unseen = [word for word in asked if not seen.get(word) and len(word) >= 2 * MIN_PART]
    if not unseen:
        return list(terms)
    splits = {word: _splits(word) for word in unseen}
    parts = sorted({part for pairs in splits.values() for pair in pairs for part in pair})
    known, _ = doc_freqs(session, parts)
    out: list[QueryTerm] = []
    for term in terms:
        pair = _best_split(splits.get(term.word, []), known) if term.weight >= 1.0 else None
        if pair is None:
            out.append(term)
        else:  # a stopword part ("now" of "utcnow") matches everything: the other one counts
            out += [QueryTerm(part, term.weight) for part in pair if part not in stopwords()]
    if out != list(terms):
        log.debug("split unseen words: %s", [t.word for t in out])
    return out


def _splits(word: str) -> list[tuple[str, str]]:
    pairs = [(word[:i], word[i:]) for i in range(MIN_PART, len(word) - MIN_PART + 1)]
    return [pair for pair in pairs if not set(pair) <= stopwords()]


def _best_split(pairs: list[tuple[str, str]], known: dict[str, int]) -> tuple[str, str] | None:
    """The split whose rarer part is the most common: both parts are real words here."""
    found = [(min(known.get(p, 0) for p in pair if p not in stopwords()), pair) for pair in pairs]
    found = [(count, pair) for count, pair in found if count > 0]
    return max(found)[1] if found else None
