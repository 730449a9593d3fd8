"""Topics a person would file an episode under: specific phrases, never common words or URLs."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable

from wordfreq import zipf_frequency

from bot.insights.claims import FIRST_PERSON
from bot.text.keyphrases import stem_set
from bot.text.sentences import Sentence

# Zipf frequency (log10 per billion words) in general English: "the" is 7.7, "build" 5.0,
# "database" 4.4, "kubernetes" 2.3. A single word above this is too common to file under.
MAX_SINGLE_WORD_ZIPF = 4.0
MAX_PHRASE_ZIPF = 5.0
NEVER_TOPICS = frozenset(
    {
        "show",
        "episode",
        "podcast",
        "laughter",
        "music",
        "guys",
        "folks",
        "stuff",
        "thing",
        "things",
        "people",
        "questions",
        "question",
        "time",
        "way",
        "lot",
        "hope",
        "months",
        "friends",
        "person",
        "break",
        "today",
        "week",
        "intro",
        "outro",
        "sponsor",
        "yeah",
        # the people in the room or listening: who, never what
        "listeners",
        "listener",
        "audience",
        "programmers",
        "developers",
        "users",
        "students",
        "engineers",
        "everybody",
        "everyone",
        # the web's everyday parts: every software show says them
        "api",
        "apis",
        "url",
        "urls",
        "ui",
        "cpu",
        # when something happened or ships, never what it is about
        *["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
        *[
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
    }
)
# "pipx install": a command line; the tool it runs is the subject.
COMMAND_RE = re.compile(r"\s(?:install|uninstall|run|init|add|update|upgrade)$", re.I)
# "San Diego", "Los Angeles": where someone lives or meets, incidental to what is said.
PLACE_RE = re.compile(r"^(?:san|los|las|santa|el|la)\s", re.I)
STRETCH_S = 300.0
STRETCH_SENTENCES = 60  # about five minutes of talk, for an untimed transcript
RECUR_STRETCHES = 2
MIN_STRETCHES_TO_RECUR = 4  # a short episode says each thing once
TITLE_TERM_MAX_ZIPF = 4.0  # a title word rarer than this names the subject ("Pydantic", "Lektor")
VERB_FORM_RE = re.compile(r"(?:ing|ed)$", re.I)  # "Adding", "Scrapying": a title's verbs
MIN_NAME_MENTIONS = 15
EVERYDAY_ZIPF = 5.0  # a word of everyday English: "go", "time", "party"
PERSON_CUES = 2
# A word inside a sentence, with its dots but not a full stop ("Node.js", not "Python.").
NAME_RE = re.compile(r"(?<=\s)[A-Za-z][\w+#-]*(?:\.[\w+#-]+)*")
URLISH_RE = re.compile(r"https?|www|\.(?:com|fm|io|org|dev)\b|/", re.I)


def filed_topics(
    phrases: Iterable[str],
    sentences: list[Sentence],
    exclude: Iterable[str] = (),
    limit: int = 6,
    title: str = "",
    show: str = "",
) -> list[str]:
    """The keyphrases worth filing under, proper nouns in their spoken case ("Go", "Rust").

    Phrases the title names come first (the title says what the episode is about), then the
    names said most often (a tool the whole episode is about, "Django", "Kubernetes"); any other
    phrase must recur across the episode: a place or a company named in one story is incidental.
    The show's name is never a topic, except a common word the talk writes as a name: the
    language of "Go Time" is Go.
    """
    banned = {w.casefold() for name in exclude for w in re.findall(r"\w+", name)}
    banned |= {re.sub(r"\W", "", name).casefold() for name in exclude}  # "talkpythontome"
    proper = _proper_nouns(sentences)
    capitalised = {key: surface for key, (surface, _) in proper.items()}
    subject_of_show = {
        w for w in re.findall(r"\w+", show.casefold()) if w in proper and _zipf(w) >= EVERYDAY_ZIPF
    }
    banned -= subject_of_show
    subject = stem_set(title.replace("-", " ").replace("_", " "))
    titled = [p for p in phrases if stem_set(p) & subject]
    short = _stretch_count(sentences) < MIN_STRETCHES_TO_RECUR
    recurring = [p for p in phrases if p not in titled and (short or _recurs(p, sentences))]
    named = _said_often(proper, titled + recurring, sentences, subject_of_show)
    topics: list[str] = []
    for said in titled + named + recurring:
        phrase = COMMAND_RE.sub("", said)
        topic = capitalised.get(phrase.casefold()) or _as_written(phrase, sentences)
        topic = _as_titled(topic, title)
        if (
            topic not in topics
            and _worth_filing(phrase, banned, capitalised)
            and not _a_person(topic, sentences)
        ):
            topics.append(topic)
        if len(topics) == limit:
            break
    return topics


def _as_written(phrase: str, sentences: list[Sentence]) -> str:
    """A phrase as the transcript writes it most often mid-sentence ("vs code" → "VS Code")."""
    if " " not in phrase:
        return phrase
    pattern = re.compile(rf"(?<=\s){re.escape(phrase)}\b", re.I)  # a first word is capitalised
    written = Counter(m[0] for s in sentences for m in pattern.finditer(s.text))
    return written.most_common(1)[0][0] if written else phrase


def _as_titled(topic: str, title: str) -> str:
    """Each word the title spells differently but that sounds the same, spelled as the title
    does ("Pedantic" → "Pydantic", "Lecter" → "Lektor"): the publisher wrote the title, speech
    recognition the transcript."""
    terms = [
        w
        for w in re.findall(r"[A-Za-z][A-Za-z0-9+#]*(?:\.[A-Za-z0-9+#]+)*", title)
        if _zipf(w.casefold()) < TITLE_TERM_MAX_ZIPF and not VERB_FORM_RE.search(w)
    ]

    def respelled(match: re.Match[str]) -> str:
        word = match[0]
        for term in terms:
            if _sounds_like(word, term):
                return term if not term.islower() else _cased_as(term, word)
        return word

    return re.sub(r"[A-Za-z][\w'-]*", respelled, topic) if terms else topic


def _sounds_like(word: str, term: str) -> bool:
    """Another spelling of the same sound: same first letter and the same consonants."""
    if word.casefold() == term.casefold() or word[0].casefold() != term[0].casefold():
        return False
    return len(_consonants(term)) >= 2 and _consonants(word) == _consonants(term)


def _consonants(word: str) -> str:
    """The word's consonant skeleton ("pydantic" and "pedantic" → "pdntk")."""
    skeleton = re.sub(r"[ckq]+", "k", word.casefold().replace("ph", "f"))
    skeleton = re.sub(r"[aeiouyhw'-]", "", skeleton)
    return re.sub(r"(.)\1+", r"\1", skeleton)


def _cased_as(term: str, word: str) -> str:
    return term.capitalize() if word[:1].isupper() else term


def _a_person(topic: str, sentences: list[Sentence]) -> bool:
    """A name the talk treats as someone's at least twice ("Kate said", "welcome, Ganesh")."""
    if " " in topic:
        return False
    name = re.escape(topic)
    pattern = re.compile(
        rf"\b{name} (?:said|says|mentioned|asked|told)\b|\b(?:welcome|thanks|thank you),? {name}\b",
        re.I,
    )
    return sum(len(pattern.findall(s.text)) for s in sentences) >= PERSON_CUES


def _worth_filing(phrase: str, banned: set[str], capitalised: dict[str, str]) -> bool:
    """Not a URL, a name on the show, a place, a word for people or a common word."""
    words = phrase.split()
    squashed = re.sub(r"\W", "", phrase).casefold()
    if (
        URLISH_RE.search(phrase)
        or banned & {w.casefold() for w in words}
        or any(squashed.startswith(b) for b in banned if len(b) > 8)
        or phrase.casefold() in NEVER_TOPICS
        or PLACE_RE.match(phrase)
    ):
        return False
    proper = len(words) == 1 and phrase.casefold() in capitalised
    return proper or _zipf(phrase) <= _ceiling(words)


def _recurs(phrase: str, sentences: list[Sentence]) -> bool:
    """Said in at least RECUR_STRETCHES separate stretches of the episode."""
    pattern = re.compile(rf"\b{re.escape(phrase)}", re.I)
    stretches = {_stretch(s) for s in sentences if pattern.search(s.text)}
    return len(stretches) >= RECUR_STRETCHES


def _stretch_count(sentences: list[Sentence]) -> int:
    return len({_stretch(s) for s in sentences})


def _stretch(sentence: Sentence) -> int:
    """Which five minutes of the episode (untimed: which run of sentences) it falls in."""
    return int(sentence.start // STRETCH_S) if sentence.start else sentence.idx // STRETCH_SENTENCES


def _ceiling(words: list[str]) -> float:
    return MAX_SINGLE_WORD_ZIPF if len(words) == 1 else MAX_PHRASE_ZIPF


@functools.lru_cache(maxsize=65536)
def _zipf(phrase: str) -> float:
    return zipf_frequency(phrase, "en")


def _said_often(
    proper: dict[str, tuple[str, int]],
    phrases: list[str],
    sentences: list[Sentence],
    common_but_named: set[str],
) -> list[str]:
    """Names said on their own at least MIN_NAME_MENTIONS times, the most said first: not a
    common word ("Google", "Code"), nor only ever part of a longer phrase ("Stack Overflow")."""
    longer = [p for p in phrases if " " in p]
    named = []
    for key, (surface, mentions) in sorted(proper.items(), key=lambda kv: -kv[1][1]):
        if mentions < MIN_NAME_MENTIONS:
            break
        common = _zipf(key) >= MAX_SINGLE_WORD_ZIPF and key not in common_but_named
        if surface in FIRST_PERSON or common:
            continue
        inside = sum(_mentions(p, sentences) for p in longer if key in p.split())
        if mentions - inside >= MIN_NAME_MENTIONS:
            named.append(key)
    return named


def _mentions(phrase: str, sentences: list[Sentence]) -> int:
    pattern = re.compile(rf"\b{re.escape(phrase)}\b", re.I)
    return sum(len(pattern.findall(s.text)) for s in sentences)


def _proper_nouns(sentences: list[Sentence]) -> dict[str, tuple[str, int]]:
    """Words written capitalised mid-sentence at least three times out of four ("Go", "Dark"),
    as first written and how often."""
    upper: dict[str, int] = {}
    lower: dict[str, int] = {}
    surface: dict[str, str] = {}
    for sentence in sentences:
        for word in NAME_RE.findall(sentence.text):
            key = word.casefold()
            if word[0].isupper():
                upper[key] = upper.get(key, 0) + 1
                surface.setdefault(key, word)
            else:
                lower[key] = lower.get(key, 0) + 1
    return {
        key: (surface[key], count)
        for key, count in upper.items()
        if count >= 2 and count >= 3 * lower.get(key, 0)
    }
