"""Spoken sentences from transcript segments: timing, speaker, verbatim text, clean wording."""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.core.values import Segment

log = logging.getLogger(__name__)

# A sentence ends at . ! ? (optionally followed by a closing quote) before whitespace; the next
# one starts with a capital, a digit or a quote. Transcripts are punctuated by their publisher or
# by the ASR service, so a rule this small splits them well; abbreviations are rare in speech.
SENTENCE_END_RE = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[\"'“‘(]?[A-Z0-9])")
ABBREVIATION_RE = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Prof|St|vs|etc|e\.g|i\.e|Inc|Jr|Sr)\.$", re.I)

FILLER_RES = (
    re.compile(r"(?:^|(?<=[\s,]))(?:um+|uh+|uhm+|erm+|hmm+|mm+|ah+)\b[,.]?\s*", re.I),
    re.compile(r",?\s*\byou know\b,?(?=\s|[.!?]|$)", re.I),
    re.compile(
        r"(?:^|(?<=[.!?]\s))(?:I mean|like|so|and|but|yeah|well|okay|ok|right|oh)\b,\s*", re.I
    ),
    re.compile(r",\s*(?:like|I mean|sort of|kind of),(?=\s)", re.I),
    # "like" as filler: before an intensifier, a determiner or a pause, never "looks like X"
    re.compile(
        r"(?<![Ll]ooks )(?<![Ll]ooked )(?<![Ff]eels )(?<![Ss]ounds )(?<![Jj]ust )"
        r"\blike,?\s+(?=(?:really|just|literally|basically|totally|like|um|uh|a bunch|"
        r"a lot|around|about|some|maybe|kind of|sort of)\b)",
        re.I,
    ),
    re.compile(r"(?<=\s)like,\s+", re.I),
    # one-word acknowledgements standing as their own sentence ("Right. So …")
    re.compile(
        r"(?:^|(?<=[.!?]\s))(?:right|yeah|yes|no|nope|okay|ok|sure|exactly|totally|mm-hmm|yep)"
        r"[.!]\s*",
        re.I,
    ),
)
STUTTER_RE = re.compile(r"\b(\w{1,12})-\s+(?=\1)", re.I)  # "th- the", "I- I"
FALSE_START_RE = re.compile(r"\b\w{1,3}-\s+(?=\w)")  # "th- the" when it is a clipped start
REPEAT_RE = re.compile(r"\b(\w+)(?:,?\s+\1\b)+", re.I)  # "the the", "I, I"
# A restarted phrase: "you go from you go from running the script" → "you go from running …"
PHRASE_REPEAT_RE = re.compile(r"\b((?:[\w']+[\s,]+){1,4}?[\w']+)(?:[\s,]+\1\b)+", re.I)
# Hedges as filler ("it's kind of slow"), not the noun sense ("a kind of database").
HEDGE_RE = re.compile(
    r"(?<!\ba )(?<!\bthe )(?<!\bthis )(?<!\bthat )(?<!\bwhat )(?<!\bsome )(?<!\bany )"
    r"(?<!\bone )(?<!\bsame )(?<!\bother )(?<!\bwhich )\b(?:kind|sort) of\s+(?!a\b|an\b|the\b)",
    re.I,
)
ASIDE_RE = re.compile(r",\s*(?:I mean|you know|I guess|if you will|so to speak|basically),", re.I)
# A hedge or a vague tail at the end of a sentence: ", I guess.", ", or something like that."
TRAILING_HEDGE_RE = re.compile(
    r"(?:,\s*(?:I guess|I think|I believe)|,?\s*\b(?:or something(?: like that)?|or whatever|"
    r"and stuff(?: like that)?|and things like that|et cetera|etc))\.?$",
    re.I,
)
# Adverbs that only pad speech: "it's basically a cache" says "it's a cache".
PADDING_RE = re.compile(r"\b(?:basically|literally)\s+(?=\w)", re.I)
LEADING_DISCOURSE_RE = re.compile(
    r"^(?:(?:and|but|so|yeah|well|okay|ok|right|oh|now|look|i mean|you know|like|also|"
    r"basically|actually|honestly|obviously|literally|essentially|anyway|um|uh)"
    r"\b[,]?\s+)+",
    re.I,
)


HEADLINE_WORDS = 14


@dataclass(frozen=True, slots=True)
class Sentence:
    """One spoken sentence: verbatim text as in the transcript, where and who."""

    idx: int
    turn: int  # consecutive sentences of one speaker share a turn
    text: str  # verbatim (whitespace-normalised) transcript text
    speaker: str | None
    start: float
    end: float
    complete: bool = True  # False when it may begin mid-sentence (a turn cut inside one)


def split_sentences(segments: Sequence[Segment]) -> list[Sentence]:
    """Sentences of the transcript, grouped into speaker turns, with start and end times."""
    sentences: list[Sentence] = []
    previous_ended = True
    for turn_no, turn in enumerate(_turns(segments)):
        text, offsets, times = _join(turn)
        for number, (start_char, end_char) in enumerate(_sentence_spans(text)):
            first = bisect.bisect_right(offsets, start_char) - 1
            last = bisect.bisect_right(offsets, max(start_char, end_char - 1)) - 1
            sentences.append(
                Sentence(
                    idx=len(sentences),
                    turn=turn_no,
                    text=text[start_char:end_char].strip(),
                    speaker=turn[0].speaker,
                    start=_time_within(first, start_char, offsets, times, len(text)),
                    end=times[last][1],
                    complete=number > 0 or previous_ended,
                )
            )
        previous_ended = text.rstrip("\"'”’)").endswith((".", "!", "?"))
    return sentences


def _time_within(
    index: int, char: int, offsets: list[int], times: list[tuple[float, float]], total: int
) -> float:
    """When character ``char`` of the turn is spoken, pacing its segment's time evenly over the
    segment's text: a sentence deep in a long paragraph does not start when the paragraph does."""
    start, end = times[index]
    seg_end = offsets[index + 1] - 1 if index + 1 < len(offsets) else total
    length, into = seg_end - offsets[index], char - offsets[index]
    if end <= start or length <= 0 or into <= 0:
        return start
    return start + (end - start) * min(into / length, 1.0)


def _turns(segments: Sequence[Segment]) -> Iterable[list[Segment]]:
    """Runs of consecutive non-empty segments with one speaker; a headline stands alone.

    News shows read a story's headline, then the story: the headline is a boundary no
    sentence or claim crosses (else "Google hires Windsurf CEO If you thought …").
    """
    spoken = [s for s in segments if s.text.strip()]
    turn: list[Segment] = []
    for i, segment in enumerate(spoken):
        if turn and segment.speaker != turn[-1].speaker:
            yield turn
            turn = []
        after = spoken[i + 1] if i + 1 < len(spoken) else None
        before = turn[-1] if turn else None
        if _is_headline(segment, before, after):
            if turn:
                yield turn
            yield [segment]
            turn = []
            continue
        turn.append(segment)
    if turn:
        yield turn


def _is_headline(segment: Segment, before: Segment | None, after: Segment | None) -> bool:
    """A short, unpunctuated line between two complete ones, followed by a capital."""
    text = segment.text.strip()
    if not text[:1].isupper() or len(text.split()) > HEADLINE_WORDS or text[-1] in ".!?,;:…-—":
        return False
    ended = before is None or before.text.rstrip().endswith((".", "!", "?", '"', "”"))
    return ended and after is not None and after.text.strip()[:1].isupper()


def _join(turn: list[Segment]) -> tuple[str, list[int], list[tuple[float, float]]]:
    """The turn's text joined by single spaces, each segment's char offset and its times."""
    parts: list[str] = []
    offsets: list[int] = []
    times: list[tuple[float, float]] = []
    position = 0
    for segment in turn:
        piece = " ".join(segment.text.split())
        offsets.append(position)
        times.append((segment.start, segment.end))
        parts.append(piece)
        position += len(piece) + 1
    return " ".join(parts), offsets, times


def _sentence_spans(text: str) -> Iterable[tuple[int, int]]:
    start = 0
    for match in SENTENCE_END_RE.finditer(text):
        if ABBREVIATION_RE.search(text[start : match.start()]):
            continue
        yield start, match.start() + len(match.group(0).rstrip())
        start = match.end()
    if start < len(text):
        yield start, len(text)


def clean_wording(text: str) -> str:
    """Remove disfluencies (um, uh, "you know", stutters, repeated words) keeping the meaning."""
    cleaned = " ".join(text.split())
    cleaned = STUTTER_RE.sub("", cleaned)
    cleaned = FALSE_START_RE.sub("", cleaned)
    for pattern in FILLER_RES:
        cleaned = pattern.sub(" ", cleaned)
    cleaned = PHRASE_REPEAT_RE.sub(r"\1", cleaned)
    cleaned = REPEAT_RE.sub(r"\1", cleaned)
    cleaned = ASIDE_RE.sub(",", cleaned)
    cleaned = HEDGE_RE.sub("", cleaned)
    cleaned = PADDING_RE.sub("", cleaned)
    cleaned = _drop_vague_tail(cleaned.strip())
    cleaned = LEADING_DISCOURSE_RE.sub("", cleaned.strip())
    return _tidy(cleaned)


def _drop_vague_tail(text: str) -> str:
    """The sentence without a trailing hedge ("…, I guess."), its final stop kept."""
    end = text[-1:] if text[-1:] in ".!?" else ""
    body = text[: len(text) - len(end)]
    trimmed = TRAILING_HEDGE_RE.sub("", body)
    return trimmed + end if trimmed.strip() else text


def _tidy(text: str) -> str:
    """Fix spacing and punctuation left behind by removals; capitalise sentence starts."""
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    text = re.sub(r",\s*([.!?])", r"\1", text)
    text = re.sub(r"^[,;:\s]+", "", text)
    text = " ".join(text.split())
    text = re.sub(r"(^|[.!?]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)
    return re.sub(r"\bi\b", "I", text)
