"""Words, stopwords, stems and keyphrases for insights, topic matching and ranking."""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer

log = logging.getLogger(__name__)

TOKEN_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)*")
WORD_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’]*(?:[-.][A-Za-z0-9]+)*")

# A compact English stopword list: function words plus spoken-language filler that carries no
# topic (podcast speech is full of "really", "actually", "gonna").
STOPWORDS = frozenset(
    """
    a about above after again against all almost also although always am among an and another
    any anyone anything are around as at away back be became because become been before being
    below between both but by can cannot could did do does doing done down during each either
    else enough even ever every everybody everyone everything few first for from further get
    gets getting give go goes going gone good got had has have having he her here hers herself
    him himself his how however i if in into is it its itself just keep kind know knew known
    last least less let like likely lot lots made make makes making many may maybe me might
    mine more most much must my myself need never new next no nobody none nor not nothing now
    of off often oh ok okay on once one only onto or other others otherwise our ours ourselves
    out over own part people per perhaps please put quite rather re really right said same say
    saying says see seem seems several shall she should since so some somebody someone
    something sometimes sort still such sure take than that the their theirs them themselves
    then there these they thing things think this those though through thus to today together
    too toward towards try two um uh under until up upon us use used using very via want wanted
    wants was way we well went were what whatever when where whether which while who whoever
    whole whom whose why will with within without would yeah yes yet you your yours yourself
    yourselves actually basically gonna gotta wanna kinda stuff guess mean means literally
    totally pretty definitely anyway anyways hey hi hello thanks thank lets let's that's
    it's i'm you're we're they're he's she's there's what's don't doesn't didn't can't
    won't isn't aren't wasn't weren't i've you've we've they've i'd you'd we'd i'll you'll
    we'll they'll ve ll d s t m 's n't three four five six seven eight nine ten yep nope mhm
    hmm ah uhm erm talk talking talked interesting little bit time times week weeks work
    working worked change changes great big able different look looking looked happen happened
    year years day days come comes coming came probably important especially certain sense
    point course fact example case feel felt tell told hear heard call called fun cool nice
    best bad start started starting lot bunch ones everybody somebody gotten getting mostly
    usually simply exactly percent cheap suggest suggesting
    """.split()  # noqa: SIM905 - a word list reads better as text
)


_per_thread = threading.local()


def _stemmer() -> snowballstemmer.stemmer:
    # A Snowball stemmer keeps the word being stemmed on itself: threads sharing one garble
    # each other's words (IndexError), and extractions run in parallel worker threads.
    if not hasattr(_per_thread, "stemmer"):
        _per_thread.stemmer = snowballstemmer.stemmer("english")
    return _per_thread.stemmer


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of one lower-cased word."""
    return _stemmer().stemWord(word.lower())


def words(text: str) -> list[str]:
    """Words of ``text`` in order, lower-cased, hyphenated parts split ("open-source")."""
    return TOKEN_RE.findall(text.lower().replace("’", "'"))


def content_words(text: str) -> list[str]:
    """Words that carry meaning: no stopwords, no bare numbers shorter than a year."""
    return [w for w in words(text) if _is_content(w)]


def _is_content(word: str) -> bool:
    if word in STOPWORDS or len(word) < 2:
        return False
    return not (word.isdigit() and len(word) < 4)


def stems(text: str) -> list[str]:
    """Stems of the content words of ``text``, in order."""
    return [stem(w) for w in content_words(text)]


def stem_set(text: str) -> frozenset[str]:
    """The distinct content stems of ``text``."""
    return frozenset(stems(text))


def keyphrases(texts: Iterable[str], limit: int = 10, exclude: Iterable[str] = ()) -> list[str]:
    """The most salient 1–3 word phrases of ``texts`` (frequency, length, proper nouns).

    Phrases said once are not key; words in ``exclude`` (speaker and show names) never are.
    """
    banned = {stem(w) for text in exclude for w in words(text)}
    counts: Counter[str] = Counter()
    surface: dict[str, Counter[str]] = {}
    for text in texts:
        for phrase, key in _candidate_phrases(text):
            counts[key] += 1
            surface.setdefault(key, Counter())[phrase] += 1
    scored = []
    for key, count in counts.items():
        n_words = key.count(" ") + 1
        if count < 2 or banned.intersection(key.split()):
            continue
        best = surface[key].most_common(1)[0][0]
        proper = 1.3 if best[:1].isupper() else 1.0
        scored.append((count * (1.0 + 0.6 * (n_words - 1)) * proper, best.lower(), key))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return _drop_nested([(phrase, key) for _, phrase, key in scored], limit)


def _candidate_phrases(text: str) -> Iterable[tuple[str, str]]:
    """(surface phrase, stemmed key) for runs of up to 3 content words."""
    for run in _content_runs(text):
        for size in (1, 2, 3):
            for i in range(len(run) - size + 1):
                part = run[i : i + size]
                if size == 1 and len(part[0]) < 4:
                    continue
                yield " ".join(part), " ".join(stem(w) for w in part)


def _content_runs(text: str) -> Iterable[list[str]]:
    """Maximal runs of adjacent content words (stopwords and punctuation break runs)."""
    for clause in re.split(r"[,.;:!?()\[\]\"“”]", text):
        run: list[str] = []
        for match in WORD_RE.finditer(clause.replace("’", "'")):
            token = match.group(0).strip("'.")
            if _is_content(token.lower()) and not token.isdigit():
                run.append(token)
            elif run:
                yield run
                run = []
        if run:
            yield run


def _drop_nested(ranked: list[tuple[str, str]], limit: int) -> list[str]:
    """Best phrases without repeats: "open" and "models" give way to "open models"."""
    kept: list[tuple[str, set[str]]] = []
    for phrase, key in ranked[: limit * 3]:
        key_stems = set(key.split())
        if not any(key_stems <= other for _, other in kept):
            kept.append((phrase, key_stems))
    longest = [
        (phrase, key_stems)
        for phrase, key_stems in kept
        if not any(key_stems < other for _, other in kept)
    ]
    return [phrase for phrase, _ in longest[:limit]]
