"""Automatic checks of what a reader gets: the faults an editor marks down in an insight or summary.

Each check is a cheap, explainable test taken from the editor's rubric (QUALITY.md): dangling
openers, fillers, stutters, markup, sponsor words, placeholder speakers, over-long items,
questions. ``bench.quality`` prints their rates over the devset; the engine drops items with any.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.core.ports import ExtractedInsight, ExtractedSummary
from bot.insights.claims import Claim
from bot.insights.filing import URLISH_RE
from bot.insights.people import is_person

MAX_WORDS = 50

DANGLING_OPENER_RE = re.compile(
    r"^(?:it|it's|that|that's|this|these|those|they|they're|them|he|she|there's|which|"
    r"and|but|or|so|because|yeah|yes|no|well|okay|ok|right|oh|exactly|also|plus|then)\b",
    re.I,
)
FILLER_RE = re.compile(r"\b(?:um+|uh+|you know|i mean|kind of|sort of)\b", re.I)
STUTTER_RE = re.compile(r"\b(\w+(?:\s+\w+){0,3})\s*,?\s+\1\b", re.I)
MARKUP_RE = re.compile(r"\]\(|\*\*|https?://|www\.|\\\[|\[\d|</?\w+>|^#|\[(?:music|laugh)", re.I)
SPONSOR_RE = re.compile(
    r"\b(?:sponsor(?:ed|s)?|brought to you by|promo code|discount code|free trial|"
    r"use (?:the )?code|check (?:them|it) out at|go to \w+\.(?:com|io|dev)|\w+\.com/\w+)\b",
    re.I,
)
INTRO_RE = re.compile(
    r"\b(?:welcome (?:to|back)|i'?m your host|this is (?:the )?\w+(?: \w+)? (?:news|show|podcast)|"
    r"thanks? (?:you )?for (?:having|joining|listening|coming on)|my guests? (?:is|are|today))\b",
    re.I,
)

InsightCheck = Callable[[ExtractedInsight | Claim], bool]

INSIGHT_FAULTS: dict[str, InsightCheck] = {
    "dangling opener": lambda i: bool(DANGLING_OPENER_RE.match(i.text)),
    "filler": lambda i: bool(FILLER_RE.search(i.text)),
    "stutter": lambda i: bool(STUTTER_RE.search(i.text)),
    "markup": lambda i: bool(MARKUP_RE.search(i.text)),
    "sponsor": lambda i: bool(SPONSOR_RE.search(i.text)),
    "intro or thanks": lambda i: bool(INTRO_RE.search(i.text)),
    "placeholder speaker": lambda i: bool(i.speaker) and not is_person(i.speaker),
    "over 50 words": lambda i: len(i.text.split()) > MAX_WORDS,
    "question": lambda i: "?" in i.text,
}


def insight_faults(insight: ExtractedInsight | Claim) -> list[str]:
    """The names of the checks an insight (or a candidate claim) fails; [] for a clean one."""
    return [name for name, failed in INSIGHT_FAULTS.items() if failed(insight)]


def summary_faults(summary: ExtractedSummary, hosts: set[str] = frozenset()) -> list[str]:
    """Faults of a summary: sponsor or intro wording, placeholder or host guests, bad topics."""
    faults = []
    texts = [summary.summary, *(p.text for p in summary.key_points)]
    if any(SPONSOR_RE.search(t) for t in texts):
        faults.append("sponsor")
    if any(MARKUP_RE.search(t) for t in texts):
        faults.append("markup")
    if any(not is_person(g) or g in hosts for g in summary.guests):
        faults.append("guest is a host or placeholder")
    if any(_bad_topic(t) for t in summary.topics):
        faults.append("url or one-letter topic")
    if not 3 <= len(summary.key_points) <= 6:
        faults.append("not 3-6 key points")
    return faults


def _bad_topic(topic: str) -> bool:
    return bool(URLISH_RE.search(topic)) or len(topic) < 2
