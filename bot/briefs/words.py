"""Words as topic matching reads them: light normalisation, proper-noun forms, phrase lookup.

Snowball stems merge words of different senses ("productivity" → "product", "typing" →
"type"), so topic matching uses its own, lighter form: lower case with plurals folded.
A capitalised word inside a sentence is also kept as a proper form (``^go`` for "Go"), so a
name that is a common word ("Go", "Rust") can be told from the verb or the noun.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from wordfreq import zipf_frequency

from bot.text.keyphrases import STOPWORDS

TOKEN_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9+#]*")
SENTENCE_END_RE = re.compile(r"[.!?:;\"“”()\[\]]\s*$")
PROPER = "^"  # prefix of a proper form: "^go" is "Go" written mid-sentence
# Short words that are names or abbreviations, kept although a stopword list drops them.
KEPT = frozenset({"go", "ai", "ml", "js", "ts", "ci", "cd", "db", "ui", "ux", "os", "vr"})
_PLURAL_KEEP = ("ss", "us", "is", "ous", "ics", "sis")
# After these, a capitalised first word is the verb ("Go ahead", "Go back to …"), not a name.
VERB_NEXT = frozenset(
    [
        "ahead",
        "back",
        "to",
        "and",
        "for",
        "check",
        "get",
        "look",
        "see",
        "home",
        "out",
        "on",
        "through",
        "with",
        "there",
        "into",
        "over",
        "try",
        "away",
        "up",
        "down",
        "in",
        "find",
        "make",
        "read",
        "grab",
        "let",
        "do",
        "play",
        "buy",
        "figure",
        "ask",
        "tell",
    ]
)


@lru_cache(maxsize=65536)
def norm(word: str) -> str:
    """``word`` lower-cased with a plural folded ("frameworks" → "framework")."""
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) <= 3 or word.endswith(_PLURAL_KEEP):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    return word[:-1] if word.endswith("s") else word


@lru_cache(maxsize=4096)
def written(word: str) -> str:
    """A folded word as people write it, for display: "kubernete" → "kubernetes" (the form
    commoner in English wins; the word itself on a tie)."""
    forms = (word, word + "s", word + "es")
    return max(forms, key=lambda form: (zipf_frequency(form, "en"), form == word))


def is_content(word: str) -> bool:
    """Whether a lower-cased word can carry a topic."""
    if word in KEPT:
        return True
    if word in STOPWORDS or len(word) < 2:
        return False
    return not (word.isdigit() and len(word) < 4)


@dataclass(frozen=True, slots=True)
class Words:
    """A text's content words in order, and which of them were written as proper nouns."""

    tokens: tuple[str, ...]
    proper: frozenset[str]

    @property
    def keys(self) -> frozenset[str]:
        """Every lookup key: words, proper forms and adjacent pairs ("web framework")."""
        pairs = {f"{a} {b}" for a, b in zip(self.tokens, self.tokens[1:], strict=False)}
        return frozenset(self.tokens) | {PROPER + w for w in self.proper} | pairs


def read_words(text: str, *, title: bool = False) -> Words:
    """The content words of ``text`` (stopwords dropped, so "founding a company" is a pair).

    In a ``title`` (a show name, a chapter) every capitalised word is a proper form.
    """
    tokens: list[str] = []
    proper: set[str] = set()
    matches = list(TOKEN_RE.finditer(text))
    for number, match in enumerate(matches):
        raw = match.group(0)
        word = raw.lower()
        if not is_content(word):
            continue
        key = norm(word)
        tokens.append(key)
        capital = raw[0].isupper() and (not raw.isupper() or len(raw) <= 2)
        if capital and (title or _mid_sentence(text, match.start()) or _names(matches, number)):
            proper.add(key)
    return Words(tuple(tokens), frozenset(proper))


def _names(matches: list[re.Match], number: int) -> bool:
    """A capitalised first word names something unless a verb's complement follows it."""
    after = matches[number + 1].group(0).lower() if number + 1 < len(matches) else ""
    return bool(after) and after not in VERB_NEXT


def _mid_sentence(text: str, at: int) -> bool:
    before = text[max(0, at - 3) : at]
    return at > 0 and not SENTENCE_END_RE.search(before) and before.strip() != ""


def phrase(text: str) -> tuple[str, ...]:
    """A topic or alias as the word sequence it must match."""
    return read_words(text).tokens


def holds(words: Words, sequence: tuple[str, ...], *, cased: bool = False) -> bool:
    """Whether ``words`` holds ``sequence`` as adjacent content words (a proper form if
    ``cased``: "Go" the language, not "go" the verb)."""
    if not sequence:
        return False
    if len(sequence) == 1:
        word = sequence[0]
        return word in words.proper if cased else word in words.tokens
    size, tokens = len(sequence), words.tokens
    first = sequence[0]
    return any(
        tokens[i] == first and tokens[i : i + size] == sequence
        for i in range(len(tokens) - size + 1)
    )


def lookup_key(sequence: tuple[str, ...], *, cased: bool = False) -> str:
    """The index key that finds texts holding ``sequence`` (its first pair, or the word)."""
    if len(sequence) == 1:
        return PROPER + sequence[0] if cased else sequence[0]
    return f"{sequence[0]} {sequence[1]}"
