"""The parts of an episode that are not the conversation: sponsor reads, self-promotion, intros.

Found as spans of sentences, so a sponsor read is left out as a whole (its pitch too, not only
the sentence that names the sponsor), and later mentions of that sponsor's pitch with it.
"""

from __future__ import annotations

import itertools
import re

from bot.text.sentences import Sentence

# "This portion of Talk Python To Me is brought to you by Linode", "Our sponsor Fastly …"
AD_START_RE = re.compile(
    r"\b(?:brought to you by|sponsored by|sponsored (?:news|segment|content)|"
    r"(?:our|a|this week'?s|today'?s) sponsors?\b|"
    r"(?:thanks?|thank you) to (?:our (?:friends|partners) (?:at|over at) )?[A-Z][\w.]+"
    r"(?: \w+)? for (?:sponsoring|supporting)|message from (?:our )?(?:sponsor|friends)|"
    r"(?:is|are) (?:\w+ly )?(?:supported|made possible) by|partner(?:ed|ing)? with)\b",
    re.I,
)
SEGMENT_START_RE = re.compile(r"\bsponsored (?:news|segment|content)\b", re.I)
SPONSOR_NAME_RE = re.compile(
    r"\b(?:brought to you by|sponsored by|supported by|made possible by|our friends (?:at|over at)"
    r"|thanks? to)\s+(?:our (?:friends|partners) (?:at|over at)\s+)?(?:the\s+)?"
    r"(?P<name>[A-Z][\w.\-]*(?:\s+(?:(?:at|of|for|on|and|&)\s+)?[A-Z][\w.\-]*){0,3})"
)
# Back to the show after a read ("Now, back to …", "Let's get back to …", "Anyway, so …").
AD_END_RE = re.compile(
    r"\b(?:back to (?:the|our|my|you|it|that|this)|(?:let'?s|now) get back|"
    r"and now,? (?:on|back)|on with the show|so,? (?:anyway|where were we))\b",
    re.I,
)
# A call to action: an address to visit, a code to use, an offer to claim.
PROMO_RE = re.compile(
    r"\b(?:(?:go|head|visit|check (?:them|it) out)\s+(?:over\s+)?(?:to|at)?\s*\S+\.(?:com|fm|io|"
    r"dev|co|ai|org|net)\b|\w+\.(?:com|fm|io|dev|co)/\w+|promo code|discount code|use (?:the )?"
    r"code|free trial|\d+% off|sign up (?:today|now|for free)|friends? of the show|"
    r"(?:rate|review|subscribe to) (?:us|the show|the podcast)|patreon|leave (?:us )?a review|"
    r"follow (?:me|us|the show|the podcast) (?:on|using|at)|keep up with the show|live ?streams?|"
    # the show's own products: "try my Python Jumpstart course", "our Everything Bundle"
    r"(?:try|check out|grab|enroll in) (?:my|our) (?:new )?(?:[\w-]+ ){0,8}?"
    r"(?:course|courses|book|workshop|training|bundle)\b|level up your|"
    r"(?:this|our|my) (?:[\w-]+ ){0,3}course (?:will )?(?:teach|show|walk)\w*)",
    re.I,
)
# Where the show announces itself; what comes before it in the first minutes is the synopsis.
SHOW_MARKER_RE = re.compile(
    r"\b(?:this is [A-Z][\w ]{2,30},? episode|episode (?:number )?\w+,? recorded|"
    r"(?:has been|was) recorded|"
    r"[Ww]elcome to (?:the )?[A-Z]\w+|[Yy]ou'?re listening to)\b"
)
INTRO_RE = re.compile(
    r"\b(?:welcome (?:to|back)|this is (?:episode|the (?:\w+ ){0,3}(?:show|podcast))|"
    r"this is [A-Z][\w ]{2,30},? (?:episode|number)|this is your host|i'?m your host|"
    r"are you ready for your host|i'?m (?:\w+ ){0,2}and "
    r"(?:this|you'?re listening)|you'?re listening to|recorded (?:on )?\w+ \d|"
    r"thanks? (?:you )?for (?:having|joining|listening|tuning)|(?:great|good|nice) to "
    r"(?:have|be|see) you|glad to (?:have|be)|see you next|until next time|that'?s (?:all|it) for|"
    r"we'?ll see you|bye,? (?:everyone|y'?all|friends))\b",
    re.I,
)
MAX_AD_SENTENCES = 12
MAX_GAP = 3  # sentences  # a read longer than this has lost its end marker: stop guessing
MAX_AD_SECONDS = 150.0
INTRO_WINDOW_S = 180.0  # intros and outros live in the first and last few minutes


def sponsor_names(sentences: list[Sentence]) -> set[str]:
    """The sponsors an episode names ("brought to you by Linode" → Linode)."""
    names = set()
    for sentence in sentences:
        if not AD_START_RE.search(sentence.text):
            continue
        for match in SPONSOR_NAME_RE.finditer(sentence.text):
            for name in re.split(r"\s+(?:and|&)\s+", match.group("name").rstrip(".")):
                if name.lower() not in {"the", "our", "this", "you", "me", "us"}:
                    names.add(name)
    return names


def synopsis(sentences: list[Sentence]) -> list[Sentence]:
    """The producer's opening synopsis: what comes before the show announces itself.

    Talk Python opens "… Let's talk to X and Y from Z. This is Talk Python To Me, episode 483";
    these sentences describe the episode rather than say something in it.
    """
    for i, sentence in enumerate(sentences[:40]):
        if sentence.start > INTRO_WINDOW_S:
            break
        if SHOW_MARKER_RE.search(sentence.text):
            return sentences[:i]
    return []


def non_content(sentences: list[Sentence]) -> set[int]:
    """Indexes of sentences that are a sponsor read, a promotion, an intro or an outro."""
    skipped: set[int] = {s.idx for s in synopsis(sentences)}
    mention = _mention_re(sponsor_names(sentences))
    for i, sentence in enumerate(sentences):
        if AD_START_RE.search(sentence.text):
            skipped |= _ad_span(sentences, i, mention)
    end = max((s.end for s in sentences), default=0.0)
    for i, sentence in enumerate(sentences):
        text = sentence.text
        if PROMO_RE.search(text) or (mention and mention.search(text)):
            skipped.add(i)
        near_edge = sentence.start <= INTRO_WINDOW_S or sentence.start >= end - INTRO_WINDOW_S
        if INTRO_RE.search(text) and (near_edge or not sentence.start):
            skipped.add(i)
    return _fill_gaps(skipped)


def _fill_gaps(skipped: set[int]) -> set[int]:
    """A read's last lines sit between its pitch and its call to action ("So what's stopping
    you? … Visit …"): a short run between two skipped sentences is part of the same read."""
    ordered = sorted(skipped)
    filled = set(skipped)
    for a, b in itertools.pairwise(ordered):
        if 1 < b - a <= MAX_GAP + 1:
            filled.update(range(a + 1, b))
    return filled


def _ad_span(sentences: list[Sentence], first: int, mention: re.Pattern[str] | None) -> set[int]:
    """The read that starts at ``first``: until the show comes back (a return phrase, a
    question that is not the pitch's own, another speaker) or a cap."""
    span = {first}
    start = sentences[first]
    # "It's now time for sponsored news!": the whole next story is the read, headline and all
    segment = bool(SEGMENT_START_RE.search(start.text)) and start.speaker is not None
    for j in range(first + 1, min(first + MAX_AD_SENTENCES, len(sentences))):
        sentence = sentences[j]
        moved_on = sentence.speaker != start.speaker if segment else sentence.turn != start.turn
        if moved_on or AD_END_RE.search(sentence.text):
            break
        if "?" in sentence.text and not segment and not _pitch_goes_on(sentences, j, mention):
            break  # the host asks the guest again: the conversation is back
        if start.end and sentence.start - start.start > MAX_AD_SECONDS:
            break
        span.add(j)
    return span


def _pitch_goes_on(sentences: list[Sentence], j: int, mention: re.Pattern[str] | None) -> bool:
    """A rhetorical question inside a read ("Got ideas? Get Bluehost.") names the sponsor soon."""
    following = sentences[j : j + 3]
    return any((mention and mention.search(s.text)) or PROMO_RE.search(s.text) for s in following)


def _mention_re(names: set[str]) -> re.Pattern[str] | None:
    if not names:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(names)) + r")\b")
