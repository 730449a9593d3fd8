"""Stemming is safe from many threads (extractions and searches run concurrently)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.search import terms
from bot.text import keyphrases

SUFFIXES = ("ing", "ation", "ness", "ities", "ously", "ed", "er", "s")


def _words(thread: int) -> list[str]:
    return [f"w{thread}x{n}{SUFFIXES[n % len(SUFFIXES)]}" for n in range(3000)]


@pytest.mark.parametrize("stem", [keyphrases.stem, terms.stem], ids=["keyphrases", "terms"])
def test_concurrent_stemming_matches_one_thread(stem: Callable[[str], str]) -> None:
    stem.cache_clear()
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(lambda t: [stem(w) for w in _words(t)], range(8)))
    stem.cache_clear()
    alone = [[stem(w) for w in _words(t)] for t in range(8)]
    assert together == alone
