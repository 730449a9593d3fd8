"""What kind of answer a question wants, and the words that carry that kind of content.

"Why" wants a reason, "how much" a number, "who" a name, "what is" a definition, "how" steps,
"compare" both sides. Retrieval prefers passages whose best window carries the wanted kind;
the offline answer picks sentences that do.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

log = logging.getLogger(__name__)


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


KINDS = ("reason", "number", "name", "definition", "steps", "comparison", "other")

# Order matters: "how many" before "how", "what's the difference" before "what is".
QUESTION_KIND_RES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("reason", re.compile(r"^\s*(?:why|how come)\b", re.I)),  # "why is X better than Y?"
    (
        "comparison",
        re.compile(
            r"\b(?:differences?|compare[sd]?|comparison|versus|vs\.?|better than|worse than|"
            r"faster than|slower than|prefer)\b|\bwhich is (?:better|faster)",
            re.I,
        ),
    ),
    (
        "reason",
        re.compile(
            r"^\s*(?:why|what(?:'s| is| was) the (?:reason|point|benefit))\b|"
            r"\bwhy\b|\bhow come\b",
            re.I,
        ),
    ),
    (
        "number",
        re.compile(
            r"\bhow (?:much|many|long|fast|big|large|often|old|far|quickly|slow)\b|"
            r"\bwhat (?:percentage|share|fraction|number|price)\b",
            re.I,
        ),
    ),
    (
        "name",
        re.compile(
            r"^\s*(?:who|whom|whose)\b|\bwhich (?:company|person|people|"
            r"framework|library|tool|language|project|adopter)\b|\bwho\b",
            re.I,
        ),
    ),
    (
        "definition",
        re.compile(
            r"^\s*what(?:'s| is| are| was| were| does)\b|\bwhat is\b|"
            r"\bwhat does .+ (?:mean|do)\b|\bdefin",
            re.I,
        ),
    ),
    (
        "steps",
        re.compile(r"^\s*how\b|\bhow (?:do|does|can|did|should|would|to)\b|\bsteps?\b", re.I),
    ),
)

NUMBER_WORDS = _word_set(
    "one two three four five six seven eight nine ten eleven twelve fifteen twenty "
    "thirty forty fifty hundred hundreds thousand thousands million millions billion "
    "billions twice half double triple percent quarter dozen "
)
CUE_WORDS: dict[str, frozenset[str]] = {
    "reason": _word_set("because reason reasons since so why cause caused means order due that's "),
    "definition": _word_set(
        "is are basically essentially called means lets allows framework library tool "
        "package specification program "
    ),
    "steps": _word_set(
        "you just then first install run use using enable add set call put replace by start "
    ),
    "comparison": _word_set(
        "whereas versus vs than while but instead compared unlike difference deterministic both "
    ),
    "name": _word_set("by created founded made built wrote author from at "),
}


# Sentence-level cues for the offline answer: a strong cue is the answer's usual shape
# ("because …", "22 times", "created by …"), a weak one only leans that way ("but", "one").
STRONG_CUE_RES: dict[str, re.Pattern[str]] = {
    "reason": re.compile(r"\b(?:because|the reason|that's why|which is why|due to)\b", re.I),
    "number": re.compile(
        r"\$?\d[\d,.]*%?|\b(?:hundreds?|thousands?|millions?|billions?|twice|double|triple|percent|"
        r"dozens?)\b",
        re.I,
    ),
    "definition": re.compile(
        r"\b(?:is|are) (?:a|an|basically|essentially|just a|like a|kind of a|sort of a)\b|"
        r"\bstands for\b|\bmeans\b",
        re.I,
    ),
    "steps": re.compile(
        r"\byou (?:need to|have to|just|run|install|add|set|enable)\b|\bby \w+ing\b|"
        r"\b(?:first you|then you|the trick is|the way (?:we|you) did)\b",
        re.I,
    ),
    "comparison": re.compile(
        r"\b(?:whereas|versus|vs|compared to|unlike|on the other hand|instead of|"
        r"(?:better|worse|faster|slower|easier|harder|more|less) than)\b",
        re.I,
    ),
    "name": re.compile(
        r"\b(?:created|founded|made|built|written|started|invented) by\b|"
        r"\bcame up with\b",
        re.I,
    ),
}
WEAK_CUE_RES: dict[str, re.Pattern[str]] = {
    "reason": re.compile(r"\b(?:since|so that|so you|in order to|otherwise|the point)\b", re.I),
    "number": re.compile(r"\b(?:" + "|".join(sorted(NUMBER_WORDS)) + r")\b", re.I),
    "definition": re.compile(
        r"\b(?:is|are|was) the\b|\blets you\b|\ballows you\b|\bis for\b|"
        r"\bused (?:for|to)\b",
        re.I,
    ),
    "steps": re.compile(r"\b(?:you can|install|enable|replace|run|use|then|we)\b", re.I),
    "comparison": re.compile(r"\b(?:than|instead|while|but|both|differen\w*)\b", re.I),
    "name": re.compile(r"(?<=[a-z,] )[A-Z][a-z]+"),  # a capitalised word inside a sentence
}


@dataclass(frozen=True)
class QuestionKind:
    kind: str  # one of KINDS
    asked: frozenset[str] = frozenset()  # the question's own words, lower-case

    def cue_pattern(self) -> re.Pattern[str] | None:
        """The words that carry this kind of answer, to search in lower-case text (as said,
        for names: they need the capitals)."""
        return _cue_word_re(self.kind)

    def cue_strength(self, sentence: str, subjects: frozenset[str] = frozenset()) -> float:
        """1 when ``sentence`` has this kind of answer's usual shape, 0.5 when it leans that
        way, else 0. A definition naming one of ``subjects`` ("Quart is a …") is strongest."""
        if self.kind == "definition" and _defines(sentence, subjects):
            return 1.5
        strong, weak = STRONG_CUE_RES.get(self.kind), WEAK_CUE_RES.get(self.kind)
        # The question's own words are no answer ("Pydantic 2" does not say how much faster).
        if strong is not None and any(
            m[0].lower() not in self.asked for m in strong.finditer(sentence)
        ):
            return 1.0
        return 0.5 if weak is not None and weak.search(sentence) else 0.0

    def carried_by(self, sentence: str) -> bool:
        """Whether ``sentence`` carries this kind of answer (a reason, a number, …)."""
        return self.cue_strength(sentence) > 0


@lru_cache(maxsize=16)
def _cue_word_re(kind: str) -> re.Pattern[str] | None:
    if kind == "number":
        return re.compile(r"\b(?:\d|(?:" + "|".join(sorted(NUMBER_WORDS)) + r")\b)")
    if kind == "name":
        return re.compile(r"(?<=[a-z,] )[A-Z][a-z]+")  # a capitalised word inside a sentence
    words = CUE_WORDS.get(kind)
    if not words:
        return None
    return re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, words))) + r")\b")


def _defines(sentence: str, subjects: frozenset[str]) -> bool:
    """ "X is a/an …" where X is one of ``subjects`` (lower-case words)."""
    return any(m["subject"].lower() in subjects for m in DEFINES_RE.finditer(sentence))


DEFINES_RE = re.compile(
    r"\b(?P<subject>[\w.-]+)(?:'s| is| are) (?:a|an|basically|essentially|just|really|the|"
    r"like a|kind of|sort of)\b",
    re.I,
)


def question_kind(question: str) -> QuestionKind:
    """The kind of answer ``question`` wants ("other" when no pattern says)."""
    asked = frozenset(w.lower() for w in re.findall(r"[\w$%.,-]+", question))
    asked |= {w.strip(".,") for w in asked}
    for kind, pattern in QUESTION_KIND_RES:
        if pattern.search(question):
            return QuestionKind(kind, asked)
    return QuestionKind("other", asked)
