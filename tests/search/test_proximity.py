"""Window coverage: the asker's words found close together, however the transcript spells them."""

from __future__ import annotations

from bot.search.proximity import window_coverage
from bot.search.terms import stem


def _weights(*words: str) -> dict[str, float]:
    return {stem(word): 1.0 for word in words}


def test_a_joined_word_matches_where_the_transcript_hyphenates_it():
    said = "It's cheaper to waste a little space than to make one throw-away memory allocation."
    weights = _weights("throwaway", "allocation")
    assert window_coverage(said, weights) == 1.0
    assert window_coverage("A throw away line about memory allocation.", weights) == 0.5


def test_words_far_apart_cover_less_than_words_together():
    weights = _weights("garbage", "collector")
    together = "The garbage collector pauses every goroutine for a moment."
    apart = "Garbage. " + "Nothing to do with it here at all. " * 20 + "A collector."
    assert window_coverage(together, weights) > window_coverage(apart, weights)
