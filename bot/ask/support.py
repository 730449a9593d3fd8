"""How well the retrieved passages support an answer: the share of the question's specific
content that the best passage holds close together.

Any overlap is not support: "who won the world cup in 2022?" shares "world" and "won" with a
climate show's guest introduction. The score weights each of the asker's words by its rarity
in the index (the specific words count most) and takes the best window of one passage, so the
words must meet where something is said about them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlmodel import Session

from bot.core.values import Passage
from bot.search.compounds import split_unseen
from bot.search.proximity import term_weights, window_coverage
from bot.search.terms import content_words, query_terms, stem

log = logging.getLogger(__name__)

# Calibrated on all of tests/data/answers.yaml by ``python -m bench.answers`` (which also
# prints two-fold held-out figures: each split judged at the threshold the other gives).
THRESHOLD = 0.565
WINDOW_WORDS = 60
PASSAGES_READ = 5


def support_score(session: Session, question: str, passages: Sequence[Passage]) -> float:
    """0–1: the largest share of the question's rarity-weighted words in one passage window."""
    # Plain rarity (IDF) weights: squared rarity separated covered from uncovered worse.
    weights = term_weights(session, split_unseen(session, query_terms(question)))
    if not weights:
        return 0.0
    return max(
        (
            window_coverage(p.text, weights, size=WINDOW_WORDS, context=title_stems(p.episode))
            for p in passages[:PASSAGES_READ]
        ),
        default=0.0,
    )


def title_stems(title: str) -> frozenset[str]:
    """Stems of an episode title's words (the title says what every passage is about)."""
    return frozenset(stem(w) for w in content_words(title.replace("-", " ")))


def is_covered(support: float, threshold: float = THRESHOLD) -> bool:
    """Whether the shows cover the question well enough to answer it."""
    return support >= threshold
