"""What a candidate claim is made of, as numbers: its wording, its place in the conversation
and in the episode. ``bot.insights.weights`` holds how much each counts, learned from the
editor's labels (``python -m bench.claim_weights``)."""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass

from wordfreq import zipf_frequency

from bot.insights import claims as wording
from bot.insights.claims import Claim
from bot.text.keyphrases import stem_set, stems
from bot.text.sentences import Sentence

# Openings that frame what follows: a hypothetical, an opinion, the reader or the speaker's team.
IF_OPENING_RE = re.compile(r"^(?:if|when|whenever|once)\b", re.I)
OPINION_OPENING_RE = re.compile(r"^i (?:think|feel|believe|guess|would say|'d say)\b", re.I)
YOU_OPENING_RE = re.compile(r"^(?:you|your)\b", re.I)
WE_OPENING_RE = re.compile(r"^(?:we|our|i|my)\b", re.I)
# An evaluation with nothing behind it: "it's interesting to see how …", "a really fun way".
EVALUATIVE_RE = re.compile(
    r"\b(?:interesting|fun|funny|cool|neat|amazing|awesome|great|nice|fascinating|crazy|"
    r"insane|love|loved|favorite|favourite)\b",
    re.I,
)
# A spoken restart or trailing thought inside the passage: "Browsers already don't allow -- …"
RESTART_RE = re.compile(r"\s(?:--|—)\s|\.\.\.|…")
REASON_RE = re.compile(r"\b(?:because|so that|which means|that means|since|therefore)\b", re.I)
COMPARISON_RE = re.compile(r"\b(?:than|instead of|rather than|compared to|versus|vs\.?)\b", re.I)
NUMBER_RE = re.compile(r"\d|\b(?:percent|half|twice|double|thousands?|millions?|billions?)\b")
ADVICE_RE = re.compile(
    r"\b(?:should(?:n'?t)?|need to|have to|must|don'?t|never|always|make sure|avoid)\b", re.I
)
PREDICTION_RE = re.compile(
    r"\b(?:will|going to|in the future|next (?:year|decade)|predict)\b", re.I
)
SHOW_TALK_RE = re.compile(
    r"\b(?:episodes?|podcasts?|shows?|listeners?|guests?|interview\w*|audience)\b", re.I
)
# The speaker's own career or past: "I joined NumFOCUS in 2015", "my current company".
BACKSTORY_RE = re.compile(
    r"\b(?:I (?:joined|worked|started working|came on|was hired|got hired|studied|graduated)|"
    r"my (?:current )?(?:company|job|role|background|career)|I'm (?:a|an|the) [\w-]+(?: [\w-]+)? "
    r"(?:at|for)|I (?:work|worked) (?:at|for|on)|(?:since|in) (?:19|20)\d\d\b)",
    re.I,
)
# The show's own plans: "we're going to talk to Jesse about …", "you'll hear from us Friday".
SHOW_PLANS_RE = re.compile(
    r"\b(?:we're going to (?:talk|focus|cover)|you'll hear|next (?:week|episode|time)|"
    r"this (?:episode|show)|on the show|stay tuned|coming up)\b",
    re.I,
)
# A sentence that carries on the one before it: a pointer back or a connective.
LINKED_OPENING_RE = re.compile(
    r"^(?:it|its|it'?s|that|this|these|those|they|them|their|which|so|because|and|but|then|"
    r"also|plus|or|otherwise|instead|therefore|thus|hence|that'?s|there)\b",
    re.I,
)
RARE_ZIPF = 3.5
EDGE_SHARE = 0.05  # the first and last 5% of an episode hold the intro and the outro

FEATURES = (
    "centrality",
    "coverage",
    "length_fit",
    "extra_sentences",
    "guest",
    "host",
    "signal_hits",
    "first_person",
    "chatter",
    "pointing",
    "repairs",
    "lesson",
    "anecdote",
    "ui_step",
    "orphan_pronoun",
    "named",
    "named_subject",
    "hedge",
    "payoff_next",
    "question_next",
    "question_before",
    "if_opening",
    "opinion_opening",
    "you_opening",
    "we_opening",
    "evaluative",
    "restart",
    "reason",
    "comparison",
    "number",
    "edge_of_episode",
    "long_turn",
    "advice",
    "prediction",
    "show_talk",
    "backstory",
    "show_plans",
    "rare_words",
    "names",
    "glued",
    "thought_continues",
)


@dataclass(frozen=True, slots=True)
class EpisodeView:
    """Per-episode work every claim's features share."""

    sentences: list[Sentence]
    idf: dict[str, float]
    centroid: Counter[str]
    centroid_norm: float
    phrase_stems: list[set[str]]
    hosts: frozenset[str]
    guests: frozenset[str]
    turn_sizes: Counter[int]


def episode_view(
    sentences: list[Sentence], phrases: list[str], hosts: set[str], guests: set[str]
) -> EpisodeView:
    """The term weights, keyphrases and cast the episode's claims are measured against."""
    df: Counter[str] = Counter()
    for sentence in sentences:
        df.update(stem_set(sentence.text))
    n_docs = max(len(sentences), 1)
    idf = {term: math.log(1 + n_docs / count) for term, count in df.items()}
    centroid = Counter({term: count * idf[term] for term, count in df.items()})
    norm = math.sqrt(sum(v * v for v in centroid.values())) or 1.0
    return EpisodeView(
        sentences=sentences,
        idf=idf,
        centroid=centroid,
        centroid_norm=norm,
        phrase_stems=[set(stems(p)) for p in phrases],
        hosts=frozenset(hosts),
        guests=frozenset(guests) if hosts else frozenset(),
        turn_sizes=Counter(s.turn for s in sentences),
    )


def claim_features(claim: Claim, view: EpisodeView) -> dict[str, float]:
    """Every feature in ``FEATURES`` for one claim."""
    text = claim.text
    return {
        **_topicality(claim, view),
        **_wording(text),
        **_placement(claim, view),
        "length_fit": 1.0 - abs(len(text) - 170) / 300,
        "extra_sentences": float(claim.last - claim.first),
        "guest": float(claim.speaker in view.guests),
        "host": float(bool(view.guests) and claim.speaker in view.hosts),
    }


def _topicality(claim: Claim, view: EpisodeView) -> dict[str, float]:
    terms = Counter(stems(claim.text))
    vector = {t: c * view.idf.get(t, 1.0) for t, c in terms.items()}
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    dot = sum(v * view.centroid[t] for t, v in vector.items())
    coverage = sum(1 for p in view.phrase_stems if p and p <= terms.keys())
    return {"centrality": dot / (norm * view.centroid_norm), "coverage": float(min(coverage, 3))}


def _wording(text: str) -> dict[str, float]:
    opening = " ".join(text.split()[:4])
    return {
        **wording.signal_parts(text),
        "named_subject": float(wording.names_something(opening)),
        "if_opening": float(bool(IF_OPENING_RE.match(text))),
        "opinion_opening": float(bool(OPINION_OPENING_RE.match(text))),
        "you_opening": float(bool(YOU_OPENING_RE.match(text))),
        "we_opening": float(bool(WE_OPENING_RE.match(text))),
        "evaluative": float(min(len(EVALUATIVE_RE.findall(text)), 2)),
        "restart": float(bool(RESTART_RE.search(text))),
        "reason": float(bool(REASON_RE.search(text))),
        "comparison": float(bool(COMPARISON_RE.search(text))),
        "number": float(bool(NUMBER_RE.search(text))),
        "advice": float(bool(ADVICE_RE.search(text))),
        "prediction": float(bool(PREDICTION_RE.search(text))),
        "show_talk": float(min(len(SHOW_TALK_RE.findall(text)), 2)),
        "backstory": float(min(len(BACKSTORY_RE.findall(text)), 2)),
        "show_plans": float(bool(SHOW_PLANS_RE.search(text))),
        "rare_words": _rare_share(text),
        "names": float(min(wording.count_names(text), 4)),
    }


def _rare_share(text: str) -> float:
    """The share of words rare in general English: specific, technical wording."""
    words = [w.lower() for w in wording.WORD_RE.findall(text)]
    return sum(1 for w in words if zipf_frequency(w, "en") < RARE_ZIPF) / max(len(words), 1)


def _placement(claim: Claim, view: EpisodeView) -> dict[str, float]:
    sentences = view.sentences
    n = max(len(sentences), 1)
    before = sentences[claim.first - 1] if claim.first > 0 else None
    asked = before is not None and before.turn != sentences[claim.first].turn
    edge = claim.first < EDGE_SHARE * n or claim.last > (1 - EDGE_SHARE) * n
    return {
        "payoff_next": float(wording.payoff_follows(sentences, claim.last + 1)),
        "question_next": float(wording.question_follows(sentences, claim.last + 1)),
        "question_before": float(asked and "?" in before.text),
        "edge_of_episode": float(edge),
        "long_turn": float(view.turn_sizes[sentences[claim.first].turn] >= 6),
        "glued": _glued(sentences[claim.first : claim.last + 1]),
        "thought_continues": float(_continues(sentences, claim.last)),
    }


def _linked(previous: Sentence, sentence: Sentence) -> bool:
    """Whether ``sentence`` carries on ``previous``: a pointer back, or a shared content word."""
    if LINKED_OPENING_RE.match(sentence.text):
        return True
    return bool(stem_set(previous.text) & stem_set(sentence.text))


def _glued(window: list[Sentence]) -> float:
    """The share of the window's sentence joints where the next sentence starts afresh."""
    joints = list(itertools.pairwise(window))
    if not joints:
        return 0.0
    return sum(1 for a, b in joints if not _linked(a, b)) / len(joints)


def _continues(sentences: list[Sentence], last: int) -> bool:
    """The speaker's next sentence carries on the claim's last one: its point may come next."""
    if last + 1 >= len(sentences) or sentences[last + 1].turn != sentences[last].turn:
        return False
    following = sentences[last + 1]
    return bool(LINKED_OPENING_RE.match(following.text)) and "?" not in following.text
