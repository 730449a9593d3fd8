"""What makes a spoken passage a claim a reader understands without the episode."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from wordfreq import zipf_frequency

from bot.text.keyphrases import content_words
from bot.text.sentences import Sentence, clean_wording

log = logging.getLogger(__name__)

MIN_CHARS = 80
MAX_CHARS = 400
MIN_CONTENT_WORDS = 7

# Greetings, banter, sponsor reads, intros and outros: a reader learns nothing from them.
NOT_A_CLAIM_RE = re.compile(
    r"\b(?:welcome (?:to|back)|thanks? (?:you )?for (?:having|joining|listening|coming|being)|"
    r"great to (?:have|be|see)|good to (?:have|be|see)|nice to (?:meet|see)|"
    r"sponsor\w*|brought to you|promo code|discount code|use (?:the )?code|"
    r"this (?:\w+ ){0,3}episode|today'?s episode|this week'?s episode|last episode|next episode|"
    r"on (?:the|this) (?:show|podcast)|our (?:show|podcast)|subscribe|rate (?:and|us)|"
    r"review us|show ?notes|link (?:in|below)|patreon|newsletter|"
    r"see you|talk to you|catch you|bye|cheers|take care|my name is|i'?m your host|"
    r"joining me|with me (?:today|now)|let'?s (?:get started|start|begin|dive|jump|talk|get into)|"
    r"laugh\w*|music|applause|inaudible|crosstalk|"
    r"you said|you mentioned|i (?:just |already )?mentioned|as i said|like i said|"
    r"we talked about|you were saying|as we(?:'ve| have)? (?:said|mentioned|discussed)|"
    r"like we (?:said|mentioned)|as (?:i|we) (?:was|were) saying|as mentioned|"
    r"good question|great question|(?:really |very )?(?:good|great|fair|excellent) point|"
    r"that'?s (?:a )?(?:great|good|fair|true|right|funny)|"
    r"exactly|absolutely|totally|oh my|wow|awesome|cool|i hope|excited to|"
    r"later on|(?:a )?(?:little )?(?:bit )?later|earlier|in a (?:minute|second|bit)|"
    r"(?:go|get) into (?:that|it)|let me|anyway|hey|an episode about|"
    r"today (?:we|i)(?:'re| are| will|'ll)? (?:talk|talking|look|looking|cover|covering)|"
    r"my guests?|our guests?|we have \w+ \w+,? who|joined by|i'?m here with|back to you|"
    r"today'?s topic|to summari[sz]e|make sure I understand|if I understand|correct me|"
    r"i was (?:gonna|going to) (?:bring|ask|say)|bring that up|i'?m curious|"
    r"tell (?:me|us) about|let'?s (?:come|go) back|let'?s (?:move on|switch)|"
    r"i want(?:ed)? to (?:talk|ask|get|bring|start|mention)|(?:the )?other (?:one|thing) i want|"
    r"agenda|close out the show|(?:in|on|from) the (?:audience|chat)|audience (?:says|asks)|"
    r"i used to work|when i was (?:a kid|young|in (?:high )?school)|my background|"
    r"give (?:us |me )?a (?:little )?(?:bit of )?(?:a )?(?:back-?story|background|rundown|"
    r"overview)|number (?:one|two|three|four|five|\d) answer|survey says|worth \d+ points|"
    r"i'?d love to|i just (?:wanna|want to)|publicly (?:state|say|thank)|"
    r"before (?:we|you) (?:actually )?(?:started|start|began|hit record)|"
    r"(?:started|start) recording|before the show|"
    r"learned (?:so much|a lot) from you|i appreciate (?:you|that|it)|(?:big|huge) fan of|"
    r"an episode (?:coming|with|about)|upcoming (?:episode|show)|already recorded|"
    # calls to the listener and self-introductions: about the show or the speaker, not a claim
    r"let us know|email us|write (?:to )?us|send us|we'?re listening|"
    r"get in touch with (?:us|me)|let'?s join|"
    r"i'?m an? (?:[\w-]+ ){0,3}(?:engineer|developer|scientist|manager|founder|co-?founder|ceo|"
    r"cto|professor|student|designer|consultant|advocate|maintainer|lead|architect|researcher|"
    r"officer) (?:at|for|with|in))\b",
    re.I,
)
# A setup whose payoff is the next sentence: alone it tells the reader nothing.
SETUP_RE = re.compile(
    r"(?::$|\b(?:there'?s|there is|here'?s) (?:a|an|the|one)(?: \w+){0,4} "
    r"(?:term|word|name|reason|way|trick|thing|problem|lesson|story|example|question)s?\b"
    r"(?:(?: \w+){0,6})[.!]$|\bthe (?:thing|reason|problem|answer|key|question|trick) (?:is|was)"
    r"[.!:]?$)",
    re.I,
)
# The next sentence of the turn carries the payoff ("So we…", "That's why…"): a window that
# stops before it is a setup, and the longer window that includes it should win.
PAYOFF_NEXT_RE = re.compile(
    r"^(?:so|and so|that'?s (?:why|how|what|because)|because|which (?:means|is why)|"
    r"the (?:answer|reason|result|trick|solution|fix|payoff) (?:is|was)|it turns out|turns out|"
    r"what (?:we|i) (?:found|learned|realized|did)|instead|but (?:then|it turns out)|"
    r"and (?:then|that'?s (?:why|how|what)))\b",
    re.I,
)
PAYOFF_NEXT_PENALTY = 0.25
QUESTION_NEXT_PENALTY = 0.25
TRAILING_OFF_RE = re.compile(r"(?:\.\.\.|…|--|—|-)\s*$")
# A reply to a question ("Per unit of energy, yes, often…") leans on the question.
ANSWER_RE = re.compile(r"(?:^|[.!?]\s+|,\s*)(?:yes|no|nope|yeah|yep)\b\s*[,.!]", re.I)
# Openings that lean on something said before ("It…", "That's why…") are not self-contained.
ANAPHORIC_START_RE = re.compile(
    r"^(?:it|that|this|these|those|they|them|he|she|him|her|his|their|its|there|which|who|"
    r"then|also|"
    r"and|but|or|so|because|yeah|yes|no|well|okay|ok|right|oh|sure|exactly|same|both|"
    r"what|why|how|where|when|anyway|again|plus|otherwise|instead|here|although|though|"
    r"even if|as a lot|not like|not only|"
    r"not (?:really|exactly|quite|necessarily|always)|for instance|for example|the other|"
    r"other than|"
    r"speaking of|at some point|indeed|especially|in any case|in that case|let'?s say|"
    r"even more so|all (?:that|those|these)|the actual|the same|such|likewise|similarly|"
    r"initially|at that point|after that|by then|then again|so first|"
    r"my (?:first|second|third|fourth|last|next|final|other) (?:one|pick|thing|point)|"
    # the host retelling the guest's past to them: an introduction, not a claim
    r"you (?:went|were|did|had|started|worked|joined|moved|spent|came|got))\b",
    re.I,
)
# Words that make a passage claim-like: a verb of being, change, cause or judgment.
CLAIM_VERB_RE = re.compile(
    r"\b(?:is|are|was|were|will|can|could|should|must|has|have|had|does|do|means?|makes?|"
    r"made|needs?|shows?|changes?|becomes?|became|gives?|lets?|helps?|costs?|saves?|"
    r"drives?|leads?|works?|matters?|depends?|requires?|grows?|grew|drops?|dropped|"
    r"replaces?|beats?|wins?|loses?|turns?|moved?|shifts?|found|learned)\b",
    re.I,
)
SIGNAL_RE = re.compile(
    r"(?:\d|percent|%|\bmost\b|\bbiggest\b|\bkey\b|\bbecause\b|\binstead\b|\bbetter\b|"
    r"\bworse\b|\bcheaper\b|\bfaster\b|\bslower\b|\bnever\b|\balways\b|\bmistake|\blesson|"
    r"\bthe (?:problem|trick|reason|point|secret|difference|future)\b|\btrend|\bshift)",
    re.I,
)
FILLER_LEFT_RE = re.compile(r"\b(?:um+|uh+|erm|you know)\b|\b(\w+)\s+\1\b", re.I)
# Spoken filler that cleaning leaves in place ("like", "kind of"): too much reads as chatter.
CHATTER_RE = re.compile(
    r"\b(?:like|kind of|sort of|i mean|stuff|whatever|gonna|pretty much|a bunch)\b", re.I
)
MAX_CHATTER = 2
# A generalisation or lesson a reader can take away, as opposed to a story about one day.
LESSON_RE = re.compile(
    r"\b(?:you should(?:n'?t)?|you (?:have|need) to|the (?:best|right|only|main|biggest|real) "
    r"(?:way|thing|reason|problem|advantage|benefit|risk)|is (?:better|faster|cheaper|easier|"
    r"harder|safer|simpler) than|the key (?:is|to)|the trick is|it turns out|turns out|"
    r"in practice|the reason (?:is|why)|which means|that means|most (?:people|teams|companies)|"
    r"the point is|the lesson)\b",
    re.I,
)
ANECDOTE_RE = re.compile(
    r"\b(?:I was|we were|I had|I remember|I thought|I went|when I was|one day|back then|"
    r"years ago|my (?:wife|kids|dad|mom|family|son|daughter))\b",
    re.I,
)
# Openings that hedge before any claim ("I don't know for sure, …", "Maybe even …"): the
# speaker is thinking aloud, the claim (if any) comes later.
HEDGE_OPENING_RE = re.compile(
    r"^(?:i don'?t know\b|i'?m not (?:sure|certain)\b|maybe\b|perhaps\b|"
    r"i (?:would|'d) (?:also )?(?:expect|imagine|guess)\b|i (?:guess|suppose|wonder)\b)",
    re.I,
)
HEDGE_PENALTY = 0.15
POINTING_WINDOW = 8  # words
ONE_HAND_RE = re.compile(r"^(?:on (?:the )?one hand|on one side)\b", re.I)
UI_STEP_RE = re.compile(r"\byou (?:click|type|hit|press|scroll|drag)\b", re.I)
# Pronouns and pointers whose referent is outside the claim: "nice for that", "works well here".
POINTING_RE = re.compile(
    r"\b(?:for|about|like|with|of|to|do|did|does|is|was) (?:that|this|it|them|those)\b(?! \w+ing)|"
    r"\b(?:here|there)[.,!]|\bthe other (?:one|way|thing|side)\b|\bthat stuff\b|"
    r"\b(?:part|thing|point|idea|problem|question|issue|case|stuff|side) here\b",
    re.I,
)
# A demonstrative naming something the reader has not seen ("we feed this event timeline into",
# "buy this", "in that section"); time words ("this year", "these days") point nowhere.
DEMONSTRATIVE_RE = re.compile(
    r"\b(?:this|these|those)\b(?! (?:year|week|month|decade|century|day|morning|time|weekend)s?\b)|"
    r"\b(?:in|into|on|onto|from|buy|use|using|with) that\b(?! (?:is|was|way|time|point)\b)",
    re.I,
)
WORD_RE = re.compile(r"[\w'’]+")
NAMED_BONUS = 0.15
NAME_MAX_ZIPF = 4.3  # a first word commoner than this in English ("Effectively", "Most") is no name
EXPLETIVE_IT_RE = re.compile(r"it(?:'s| is| was)? (?:turns? out|seems?|looks like|appears)\b", re.I)
THIRD_PERSON = frozenset(
    ("he", "she", "him", "her", "his", "hers", "they", "them", "their", "it", "its")
)
FIRST_PERSON = frozenset(("I", "I'm", "I've", "I'd", "I'll", "I’m", "I’ve", "I’d", "I’ll"))
# Transcript labels that are not people: a song, a break, an ad.
NON_PERSON_SPEAKER_RE = re.compile(
    r"^(?:song|music|break|intro|outro|ad|ads|sponsor|announcer|voice ?over|narrator|"
    r"jingle|sound|sfx|clip|video|audio|unknown|crosstalk|multiple speakers?)\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Claim:
    """A candidate insight: cleaned wording over consecutive sentences of one speaker."""

    first: int  # index of the first sentence
    last: int  # index of the last sentence
    text: str
    quote: str
    speaker: str | None
    start: float
    end: float
    signal: float  # 0..1, how claim-like the wording is


@dataclass(frozen=True, slots=True)
class _Checked:
    """Per-sentence work done once, shared by the 1–3 windows that contain the sentence."""

    usable: bool  # not a question, reply, greeting, sponsor read or verbless fragment
    clean: str
    content_words: int


def candidate_claims(
    sentences: list[Sentence], max_sentences: int = 3, skip: frozenset[int] = frozenset()
) -> list[Claim]:
    """Every 1–3 sentence window within one speaker turn that reads as a standalone claim.

    ``skip`` holds sentences that are not the conversation (sponsor reads, intros): no window
    includes them.
    """
    checked = [_check(s) for s in sentences]
    claims: list[Claim] = []
    for i, first in enumerate(sentences):
        if not first.complete:
            continue
        for size in range(1, max_sentences + 1):
            window = sentences[i : i + size]
            if len(window) < size or window[-1].turn != first.turn:
                break
            if not checked[i + size - 1].usable or window[-1].idx in skip or _not_a_person(first):
                break  # every longer window holds this sentence too
            penalty = PAYOFF_NEXT_PENALTY * payoff_follows(sentences, i + size)
            penalty += QUESTION_NEXT_PENALTY * question_follows(sentences, i + size)
            claim = _as_claim(window, checked[i : i + size], penalty)
            if claim is not None:
                claims.append(claim)
    return claims


def _check(sentence: Sentence) -> _Checked:
    text = sentence.text
    if len(text) > MAX_CHARS * 1.6 or _fragment(text) or not _standalone_quote(text):
        return _Checked(False, "", 0)
    clean = clean_wording(text)
    return _Checked(bool(clean), clean, len(content_words(clean)))


def payoff_follows(sentences: list[Sentence], after: int) -> bool:
    """True when the sentence at ``after`` continues the same turn with the payoff."""
    if after >= len(sentences) or after == 0:
        return False
    following = sentences[after]
    return following.turn == sentences[after - 1].turn and bool(
        PAYOFF_NEXT_RE.match(following.text)
    )


def question_follows(sentences: list[Sentence], after: int) -> bool:
    """True when a question comes straight after: what leads into a question is its premise
    or banter, and the answer that follows is the point."""
    return after < len(sentences) and "?" in sentences[after].text


def _as_claim(
    window: list[Sentence], checked: list[_Checked], penalty: float = 0.0
) -> Claim | None:
    if SETUP_RE.search(window[-1].text) or TRAILING_OFF_RE.search(window[-1].text):
        return None  # the payoff is missing: a longer window may carry it
    text = " ".join(c.clean for c in checked)
    if not is_claim_text(text, sum(c.content_words for c in checked)):
        return None
    return Claim(
        first=window[0].idx,
        last=window[-1].idx,
        text=text,
        quote=" ".join(s.text for s in window),
        speaker=window[0].speaker,
        start=window[0].start,
        end=window[-1].end,
        signal=max(0.0, claim_signal(text) - penalty),
    )


def _not_a_person(sentence: Sentence) -> bool:
    return bool(sentence.speaker and NON_PERSON_SPEAKER_RE.match(sentence.speaker))


def _fragment(sentence: str) -> bool:
    """A short verbless answer like "Easier than expected." or "Mostly reruns." """
    return len(sentence.split()) <= 6 and not CLAIM_VERB_RE.search(sentence)


def _standalone_quote(quote: str) -> bool:
    if "?" in quote or ANSWER_RE.search(quote):
        return False
    return not NOT_A_CLAIM_RE.search(quote)


def is_claim_text(text: str, content_count: int | None = None) -> bool:
    """A complete, self-contained statement of the right length with no filler left."""
    if not MIN_CHARS <= len(text) <= MAX_CHARS or "?" in text:
        return False
    if not text[0].isupper() or text[-1] not in ".!" or ANAPHORIC_START_RE.match(text):
        return False
    if FILLER_LEFT_RE.search(text) or text.count('"') % 2 or text.count("(") != text.count(")"):
        return False
    if len(CHATTER_RE.findall(text)) > MAX_CHATTER or _points_back_early(text):
        return False
    if content_count is None:
        content_count = len(content_words(text))
    if content_count < MIN_CONTENT_WORDS:
        return False
    return bool(CLAIM_VERB_RE.search(text))


def _points_back_early(text: str) -> bool:
    """The first clause leans on an unseen referent ("News has been nice for that, because …",
    "On one hand, …" without the other): the reader is lost from the first words."""
    opening = " ".join(text.split()[:POINTING_WINDOW])
    if ONE_HAND_RE.match(text) and "other hand" not in text.lower():
        return True
    return bool(POINTING_RE.search(opening) or DEMONSTRATIVE_RE.search(opening))


def claim_signal(text: str) -> float:
    """How much the wording reads like a takeaway: numbers, comparisons, causes, lessons.

    Pointing words ("that", "here", "it") lean on what was said before, and dense commas mark
    spoken self-repairs ("it will create, it'll take, read in"): both read badly cold.
    """
    p = signal_parts(text)
    score = 0.5 + 0.15 * p["signal_hits"] - 0.05 * p["first_person"] - 0.15 * p["chatter"]
    score -= 0.1 * p["pointing"] + p["repairs"]
    score += 0.2 * p["lesson"] - 0.1 * p["anecdote"]
    score -= 0.15 * p["ui_step"] + 0.15 * p["orphan_pronoun"]
    score += NAMED_BONUS * p["named"]
    score -= HEDGE_PENALTY * p["hedge"]
    return max(0.0, min(1.0, score))


def signal_parts(text: str) -> dict[str, float]:
    """The counts ``claim_signal`` weighs, capped where more of the same adds nothing."""
    n_words = max(len(text.split()), 1)
    return {
        "signal_hits": float(min(len(SIGNAL_RE.findall(text)), 3)),
        "first_person": float(min(len(re.findall(r"\b(?:I|me|my)\b", text)), 4)),
        "chatter": float(len(CHATTER_RE.findall(text))),
        "pointing": float(min(len(POINTING_RE.findall(text)), 3)),
        "repairs": max(0.0, text.count(",") / n_words - 0.08) * 5,
        "lesson": float(bool(LESSON_RE.search(text))),
        "anecdote": float(min(len(ANECDOTE_RE.findall(text)), 2)),
        "ui_step": float(bool(UI_STEP_RE.search(text))),
        "orphan_pronoun": float(orphan_pronoun(text)),
        "named": float(names_something(text)),
        "hedge": float(bool(HEDGE_OPENING_RE.match(text))),
    }


def names_something(text: str) -> bool:
    """A name in the claim (a tool, a company, a person): claims about a named thing are the
    ones a reader can place cold."""
    return any(_is_name(word, before) for word, before in _with_preceding(text))


def count_names(text: str) -> int:
    """How many words of the claim are names."""
    return sum(1 for word, before in _with_preceding(text) if _is_name(word, before))


def orphan_pronoun(text: str) -> bool:
    """A third-person pronoun ("it", "they", "she") before any name: its referent was said
    before the claim. "It turns out", "it seems" refer to nothing."""
    for word, before in _with_preceding(text):
        if _is_name(word, before):
            return False
        if word.lower() in THIRD_PERSON and not EXPLETIVE_IT_RE.match(text[len(before) :].lstrip()):
            return True
    return False


def _is_name(word: str, before: str) -> bool:
    """Capitalised where a sentence does not start, or a first word rare in general English
    ("Redis keeps…", not "Most teams…")."""
    if not word[0].isupper() or word in FIRST_PERSON:
        return False
    starts_sentence = not before or before.endswith((".", "!", "?", ":"))
    return not starts_sentence or zipf_frequency(word, "en") < NAME_MAX_ZIPF


def _with_preceding(text: str) -> list[tuple[str, str]]:
    """Each word with the text before it, stripped."""
    out, at = [], 0
    for word in WORD_RE.findall(text):
        at = text.index(word, at)
        out.append((word, text[:at].rstrip()))
        at += len(word)
    return out
