"""Proximity: how much of a question one short window of a passage holds.

BM25 scores a ~300-word chunk as a bag of words, so a chunk that mentions each question word
once, far apart, can outrank the one where they meet in the sentence that answers. The best
window of WINDOW_WORDS words, weighted by each word's rarity, is the finer signal; it also
tells how much of the question's specific content a passage covers (the support score).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from sqlmodel import Session

from bot.search.questions import QuestionKind
from bot.search.rows import rows_by_ids
from bot.search.terms import QueryTerm, stem

log = logging.getLogger(__name__)

WINDOW_WORDS = 40
WINDOW_WEIGHT = 1.5  # share of the best BM25 score that full coverage adds
CUE_BONUS = 0.5  # a window that carries the wanted kind of answer counts this much more
CUE_REACH = 12  # words either side of the window where the cue may sit
WINDOW_CANDIDATES = 30  # only the best this many are read: the rest rarely climb
CHARS_PER_WORD = 5  # windows are measured in characters: about this many a spoken word
HYPHENATED_RE = re.compile(r"\w+(?:-\w+)+")
WORD_CHARS_RE = re.compile(r"\w+")


def term_weights(session: Session, terms: Sequence[QueryTerm]) -> dict[str, float]:
    """Stem → IDF × term weight: rare words the asker used count most."""
    from bot.search.fulltext import doc_freqs

    dfs, total = doc_freqs(session, [t.word for t in terms])
    weights: dict[str, float] = {}
    for term in terms:
        idf = math.log(1 + (total + 1) / (dfs.get(term.word, 0) + 1))
        key = stem(term.word)
        weights[key] = max(weights.get(key, 0.0), idf * term.weight)
    return weights


def window_coverage(
    text: str,
    weights: Mapping[str, float],
    kind: QuestionKind | None = None,
    size: int = WINDOW_WORDS,
    context: frozenset[str] = frozenset(),
) -> float:
    """Largest weighted share (0–1) of the query stems found within ``size`` words of text,
    plus CUE_BONUS when that window carries the kind of answer asked for (a number, …).

    ``context`` stems (the episode's title words) count as present in every window: a
    passage of the episode titled "Lektor" is about Lektor however the transcript spells it.
    """
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    given = sum(w for k, w in weights.items() if k in context)
    wanted = frozenset(k for k in weights if k not in context)
    lowered = text.lower()  # case-sensitive patterns on lower-case text run ~8x faster
    hits = _hits(lowered, wanted) if wanted else []
    cue = kind.cue_pattern() if kind is not None else None
    said = text if kind is not None and kind.kind == "name" else lowered  # names need case
    span, reach = size * CHARS_PER_WORD, CUE_REACH * CHARS_PER_WORD
    best, first, inside, held = given / total, 0, {}, given
    for position, key in hits:
        if not inside.get(key):
            held += weights[key]
        inside[key] = inside.get(key, 0) + 1
        while hits[first][0] <= position - span:
            dropped = hits[first][1]
            inside[dropped] -= 1
            if not inside[dropped]:
                held -= weights[dropped]
            first += 1
        score = held / total
        # Look for the cue only around a window that could become the best with it.
        could_lead = cue is not None and score * (1 + CUE_BONUS) > best
        if could_lead and cue.search(said, max(0, hits[first][0] - reach), position + reach):
            score += CUE_BONUS * score
        best = max(best, score)
    return best


def _hits(text: str, wanted: frozenset[str]) -> list[tuple[int, str]]:
    """(character offset, stem) of each word of lower-case ``text`` whose stem is wanted;
    a word the asker writes joined counts where the transcript hyphenates it ("throw-away")."""
    found = _stem_hits(text, wanted)
    missing = frozenset(wanted - {key for _, key in found})
    if missing and "-" in text:  # only the hyphenated words are read again, joined, in place
        for start, word in _hyphenated(text):
            found += [(start, key) for _, key in _stem_hits(word.replace("-", ""), missing)]
        found.sort()
    return found


def _hyphenated(text: str) -> list[tuple[int, str]]:
    """(offset, word) of each HYPHENATED_RE match of ``text``, found from its hyphens: a
    regex scan tries every position of the text, and most texts have a few hyphens at most."""
    out: list[tuple[int, str]] = []
    done, at = 0, text.find("-")
    while at != -1:
        if (
            done <= at
            and 0 < at < len(text) - 1
            and _is_word(text[at - 1])
            and _is_word(text[at + 1])
        ):
            start = at - 1
            while start and _is_word(text[start - 1]):
                start -= 1
            match = HYPHENATED_RE.match(text, start)
            if match:  # always, by the checks above
                out.append((start, match[0]))
                done = match.end()
        at = text.find("-", at + 1)
    return out


def _is_word(char: str) -> bool:
    """Whether ``\\w`` matches ``char`` (a letter, digit or underscore)."""
    return char.isalnum() or char == "_"


def _stem_hits(text: str, wanted: frozenset[str]) -> list[tuple[int, str]]:
    found = []
    for match in _prefix_re(wanted).finditer(text):
        key = stem(match[0].replace("\u2019", "'").split("'")[0])
        if key in wanted:
            found.append((match.start(), key))
    return found


@lru_cache(maxsize=256)
def _prefix_re(wanted: frozenset[str]) -> re.Pattern[str]:
    # A stem is (nearly) a prefix of its words: "tri" of "tried", "happi" of "happy" less one
    # letter. Scanning for prefixes in C and stemming only those is ~10x faster than
    # stemming every word of every candidate in Python.
    prefixes = sorted({k[: max(3, len(k) - 1)] for k in wanted}, key=len, reverse=True)
    if not all(WORD_CHARS_RE.fullmatch(p) for p in prefixes):
        return re.compile(r"\b(?:" + "|".join(map(re.escape, prefixes)) + r")[\w'\u2019]*")
    # The same matches, written so the regex engine can skip to the prefixes' first letters
    # (a leading \b hides them from it): "\b" becomes "no word character before the first
    # letter", and prefixes sharing a first letter share one branch. A match runs to the end
    # of the word whichever prefix starts it, so the order of the branches does not matter.
    by_first: dict[str, list[str]] = {}
    for prefix in prefixes:
        by_first.setdefault(prefix[0], []).append(re.escape(prefix[1:]))
    branches = [
        re.escape(first) + r"(?<!\w.)(?:" + "|".join(rests) + ")"
        for first, rests in by_first.items()
    ]
    return re.compile("(?:" + "|".join(branches) + r")[\w'\u2019]*")


def rerank_by_window(
    session: Session,
    ranked: Sequence[tuple[int, float]],
    weights: Mapping[str, float],
    kind: QuestionKind | None = None,
    titled: Mapping[int, frozenset[str]] | None = None,
    *,
    weight: float | None = None,
    texts: Mapping[int, tuple[int, str]] | None = None,
) -> list[tuple[int, float]]:
    """Add ``weight`` × the best score × each chunk's window coverage to its score.

    Only the ``window_candidates`` are read; ``texts`` (chunk id → episode id, text), when the
    caller has read them, spare that lookup.
    """
    weight = WINDOW_WEIGHT if weight is None else weight
    if not ranked or weight == 0 or not weights:
        return list(ranked)
    ordered = sorted(ranked, key=lambda pair: -pair[1])  # stable: as window_candidates reads
    read, rest = ordered[:WINDOW_CANDIDATES], ordered[WINDOW_CANDIDATES:]
    found = texts if texts is not None else _texts(session, [chunk_id for chunk_id, _ in read])
    titled = titled or {}
    top = read[0][1] or 1.0

    def coverage(chunk_id: int) -> float:
        episode_id, text = found.get(chunk_id, (0, ""))
        context = titled.get(episode_id, frozenset())  # the title says what it is about
        return window_coverage(text, weights, kind, context=context)

    rescored = [(i, score + weight * top * coverage(i)) for i, score in read] + rest
    return sorted(rescored, key=lambda pair: (-pair[1], pair[0]))


def window_candidates(ranked: Sequence[tuple[int, float]]) -> list[tuple[int, float]]:
    """The best WINDOW_CANDIDATES of ``ranked`` by score: the chunks ``rerank_by_window`` reads."""
    return sorted(ranked, key=lambda pair: -pair[1])[:WINDOW_CANDIDATES]


def _texts(session: Session, ids: Sequence[int]) -> dict[int, tuple[int, str]]:
    rows = rows_by_ids(session, "SELECT id, episode_id, text FROM chunk WHERE id {ids}", ids)
    return {chunk_id: (episode_id, text) for chunk_id, episode_id, text in rows}
