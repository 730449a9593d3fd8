"""Window coverage: the asker's words found close together, however the transcript spells them."""

from __future__ import annotations

import re

from bot.search.proximity import HYPHENATED_RE, _hyphenated, _prefix_re, window_coverage
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


TRICKY = (
    "Tried-and-tested, re-tried: a well-known x-ray. Don't re-run it--ever; -dash, dash-, "
    "snake_case-name, 3-d, café-crème, naïve-ish. xyz'tried it, tri’d \u2019tried, "
    "triangular trying-out, untried retrying tried"
)


def test_hyphenated_words_are_found_from_their_hyphens_as_the_regex_finds_them():
    for text in (TRICKY.lower(), "-", "a-", "-a", "a-b", "no hyphen at all", "a--b-c d-"):
        expected = [(m.start(), m[0]) for m in HYPHENATED_RE.finditer(text)]
        assert _hyphenated(text) == expected


def test_stem_prefixes_match_only_at_word_starts_as_a_word_boundary_would():
    said = TRICKY.lower()
    for wanted in (["tri", "dash", "well"], ["x", "crèm", "naïv", "ever"], ["c++", "tri"]):
        stems = frozenset(wanted)
        prefixes = sorted({k[: max(3, len(k) - 1)] for k in stems}, key=len, reverse=True)
        plain = re.compile(r"\b(?:" + "|".join(map(re.escape, prefixes)) + r")[\w'\u2019]*")
        found = [(m.start(), m[0]) for m in _prefix_re(stems).finditer(said)]
        assert found == [(m.start(), m[0]) for m in plain.finditer(said)]
        assert found  # the texts hold each set's words
