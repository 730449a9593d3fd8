"""Who is talking: hosts and guests, from speaker labels, the feed and the intro's own words."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot.core.models import Episode, TranscriptSegment
from bot.core.ports import EpisodeContext
from bot.insights.claims import NON_PERSON_SPEAKER_RE
from bot.insights.non_content import sponsor_names
from bot.text.sentences import Sentence

GENERIC_SPEAKER_RE = re.compile(r"^(?:speaker|spk|person|voice|unknown|guest|host)\b|^\d+$", re.I)
NAME = r"[A-Z][a-zA-Z'\-]+(?: [A-Z][a-zA-Z'\-]+){1,2}"
# "This is your host, Michael Kennedy", "I'm your host Adam", "my co-host, Chris Benson"
HOST_RE = re.compile(rf"\b(?:your host,?|co-?host,?|I'?m)\s+(?P<name>{NAME})")
# "Let's talk to Elvis Kahoro and Nikhil Rao", "we have Yotam Mann", "joined by Paul Biggar"
# ("from X", "led by X" name companies and people who are not on: "from Red Hat").
GUEST_RE = re.compile(
    rf"\b(?:talk(?:ing)? (?:to|with)|joined(?: \w+){{0,2}} by|we have|"
    rf"guests?(?: is| are| today)?,?|"
    rf"here with|welcome(?: back)?|meet|with)\s+(?P<first>{NAME})"
    rf"|(?P<third>{NAME}),? (?:is here|joins|decided|created|built|wrote|got involved|"
    rf"the (?:creator|author))"
)
# "Today on the show we have myself, Erik St. Martin, we also have Carlisia …": the panel's
# roll call names the hosts; the guest is introduced on their own.
ROLL_CALL_RE = re.compile(r"\b(?:we have|we've got|with) myself\b", re.I)
# Said by guests, rarely by hosts.
THANKS_FOR_HAVING_RE = re.compile(
    r"\b(?:thanks?(?: you)?(?: so much)? for having|(?:happy|glad|great|excited) to be here)", re.I
)
INTRO_S = 300.0  # names are introduced in the first minutes
WELCOME_RE = re.compile(
    r"\b(?:welcome|joined by|joining (?:us|me)|we have|here with|guests?)\b", re.I
)
# Capitalised pairs in an intro that are places, organisations or products, not people.
NOT_FIRST_NAMES = frozenset({"Talk", "The", "This", "Python", "New", "San", "Los", "Open", "Big"})
LEADING_CONJUNCTION_RE = re.compile(r"^(?:And|But|So|Now|Well) (?=\S+ \S)")
# The outro says who was on: "Our guest on this episode was Dane Hillard", "Today's guest was …"
OUTRO_GUEST_RE = re.compile(
    rf"\b(?:[Tt]oday'?s|[Oo]ur) guests? (?:on this episode |today )?"
    rf"(?:was|were|has been|have been|is|are)\s+(?P<first>{NAME})"
)
OUTRO_SENTENCES = 60
LIST_NEXT_RE = re.compile(rf",? (?:and )?(?P<name>{NAME})")
NOT_SURNAMES = frozenset(
    {
        "University",
        "City",
        "AI",
        "Inc",
        "Labs",
        "Foundation",
        "Team",
        "Python",
        "Software",
        "Cloud",
        "Data",
        "Systems",
        "College",
        "Institute",
        "Project",
        "Studio",
        "Podcast",
        "Show",
    }
)


def is_person(label: str | None) -> bool:
    """Whether a speaker label names a person (not "Speaker 1", "Break" or "Song")."""
    return (
        bool(label)
        and not GENERIC_SPEAKER_RE.match(label)
        and not NON_PERSON_SPEAKER_RE.match(label)
    )


def hosts(episode: EpisodeContext, sentences: list[Sentence]) -> set[str]:
    """The feed's hosts, else the show's regulars on this episode, who opens the show and who
    the intro calls host or co-host."""
    named = {p["name"] for p in episode.persons if p.get("role") == "host" and p.get("name")}
    if named:
        return named
    found = {m["name"] for s in _intro(sentences) for m in HOST_RE.finditer(s.text)}
    first = next((s.speaker for s in sentences if is_person(s.speaker)), None)
    labelled = {s.speaker for s in sentences if is_person(s.speaker)}
    found = {_match_label(name, labelled) for name in found} - {None} or found
    return found | ({first} if first else set()) | (episode.regulars & labelled)


@dataclass(frozen=True)
class Cast:
    """Who is on an episode, worked out once per extraction."""

    hosts: set[str]
    guests: list[str]


def cast(episode: EpisodeContext, sentences: list[Sentence]) -> Cast:
    """The episode's hosts and guests."""
    host_names = hosts(episode, sentences)
    return Cast(host_names, guests(episode, sentences, host_names))


def guests(episode: EpisodeContext, sentences: list[Sentence], host_names: set[str]) -> list[str]:
    """Guests: the feed's podcast:person guests, else labelled speakers who are not hosts,
    else the names the intro introduces (unlabelled transcripts)."""
    named = [p["name"] for p in episode.persons if p.get("name") and p.get("role") == "guest"]
    if named:
        return named
    talk: Counter[str] = Counter()
    for sentence in sentences:
        if is_person(sentence.speaker):
            talk[sentence.speaker] += len(sentence.text)
    introduced = _introduced(sentences, host_names)
    thanked = _named_in_outro(sentences, host_names)
    if talk:
        # Guests are introduced or thank the hosts for having them; co-hosts and panelists
        # are neither. Without either cue, everyone but the hosts.
        cued = {s.speaker for s in _intro(sentences) if THANKS_FOR_HAVING_RE.search(s.text)}
        named = introduced + thanked
        cued |= {label for name in named if (label := _match_label(name, set(talk)))}
        ranked = [name for name, _ in talk.most_common() if name not in host_names]
        cued = (cued | _welcomed(sentences, set(talk))) - host_names
        return [name for name in ranked if name in cued or not cued][:5]
    # the outro names exactly who was on; the intro also names people who are talked about
    return (thanked or introduced)[:5]


def _named_in_outro(sentences: list[Sentence], host_names: set[str]) -> list[str]:
    """Guests the outro names ("Our guest on this episode was Eugene Yan")."""
    found = []
    for sentence in sentences[-OUTRO_SENTENCES:]:
        for match in OUTRO_GUEST_RE.finditer(sentence.text):
            found += [match["first"], *_listed(sentence.text, match.end("first"))]
    return _people(found, host_names, sentences)


def _listed(text: str, at: int) -> list[str]:
    """The names that follow a name in a list: "Scott Reed, Brad Cunningham, and Ike Ellis"."""
    names = []
    while match := LIST_NEXT_RE.match(text, at):
        names.append(match["name"])
        at = match.end()
    return names


def _welcomed(sentences: list[Sentence], labels: set[str]) -> set[str]:
    """Speakers another speaker welcomes or introduces by first name ("Sid, welcome")."""
    found = set()
    for sentence in _intro(sentences):
        if not WELCOME_RE.search(sentence.text) or ROLL_CALL_RE.search(sentence.text):
            continue
        for label in labels - {sentence.speaker}:
            if re.search(rf"\b{re.escape(label.split()[0])}\b", sentence.text):
                found.add(label)
    return found


def _introduced(sentences: list[Sentence], host_names: set[str]) -> list[str]:
    """Names the intro introduces, hosts left out ("you'll meet Adam Hood from …")."""
    found = []
    for sentence in _intro(sentences):
        if ROLL_CALL_RE.search(sentence.text):
            continue
        for match in GUEST_RE.finditer(sentence.text):
            if match["third"]:
                found.append(match["third"])
            else:
                found += [match["first"], *_listed(sentence.text, match.end("first"))]
    return _people(found, host_names, sentences)


def _people(found: list[str], host_names: set[str], sentences: list[Sentence]) -> list[str]:
    """The names that are people other than the hosts, each once, in order."""
    host_words = {w for h in host_names for w in h.split()}
    sponsors = sponsor_names(sentences)  # "brought to you by Cox Automotive": not a guest
    names = (LEADING_CONJUNCTION_RE.sub("", n) for n in found)
    unique = dict.fromkeys(
        n for n in names if not host_words & set(n.split()) and n not in sponsors
    )
    return [n for n in unique if _looks_like_a_person(n)]


def _looks_like_a_person(name: str) -> bool:
    words = name.split()
    return words[0] not in NOT_FIRST_NAMES and words[-1] not in NOT_SURNAMES


def _intro(sentences: list[Sentence]) -> list[Sentence]:
    return [s for s in sentences[:80] if s.start <= INTRO_S]


def _match_label(name: str, labels: set[str]) -> str | None:
    """The speaker label that is this person ("Chris Benson" → "Chris Benson", "Adam" → …)."""
    first = name.split()[0]
    return next((label for label in labels if label.split()[0] == first), None)


REGULAR_MIN_EPISODES = 2
REGULAR_MIN_SHARE = 0.25  # a recurring guest is on a few of a long-running show's episodes
REGULARS_READ = 50  # the show's latest episodes: hosts change over the years


def regulars_among(speakers_by_episode: Iterable[Iterable[str]]) -> frozenset[str]:
    """Speaker labels heard on at least two, and a quarter, of these episodes: the show's
    hosts and panelists (a guest rarely comes back that often)."""
    heard: Counter[str] = Counter()
    episodes = 0
    for labels in speakers_by_episode:
        people = {label for label in labels if is_person(label)}
        episodes += bool(people)
        heard.update(people)
    needed = max(REGULAR_MIN_EPISODES, REGULAR_MIN_SHARE * episodes)
    return frozenset(label for label, count in heard.items() if count >= needed)


def show_regulars(session: Session, podcast_id: int, but: int | None = None) -> frozenset[str]:
    """The regulars of a show, from the speaker labels of its other stored episodes."""
    recent = (
        select(Episode.id)
        .where(Episode.podcast_id == podcast_id, Episode.id != (but or 0))
        .order_by(col(Episode.id).desc())
        .limit(REGULARS_READ)
    )
    query = (
        select(TranscriptSegment.episode_id, TranscriptSegment.speaker)
        .where(col(TranscriptSegment.episode_id).in_(recent))
        .where(col(TranscriptSegment.speaker).is_not(None))
        .distinct()
    )
    by_episode: dict[int, set[str]] = {}
    for episode_id, speaker in session.exec(query):
        by_episode.setdefault(episode_id, set()).add(speaker)
    return regulars_among(by_episode.values())
