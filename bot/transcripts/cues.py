"""Timed cues (WebVTT, SRT and their broken cousins) into segments.

``parse_cue_blocks`` is the lenient reader for what strict parsers reject: SRT with ``-->``
unspaced, VTT-style timings under an .srt name, times without hours (``0.860 --> 7.380``), blocks
missing their blank line. ``cues_to_segments`` turns raw cues from either reader into segments:
voice tags and ``Name:`` prefixes become speakers, markup goes, YouTube rolling lines are
de-duplicated.
"""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass

from bot.core.values import Segment
from bot.transcripts.segments import tidy
from bot.transcripts.speaker import clean_speaker, split_speaker
from bot.transcripts.timecode import parse_timecode

TIMING_RE = re.compile(r"^\s*(?P<start>[\d:.,]+)\s*-->\s*(?P<end>[\d:.,]+)(?P<settings>.*)$")
# Any "a --> b" line is a timing line, however garbled its times: it is never speech.
_ANY_TIMING_RE = re.compile(r"^\s*\S+\s*-->\s*\S+")
_VOICE_RE = re.compile(r"<v(?:\.[\w.-]+)*(?:\s+(?P<name>[^>]*))?>", re.IGNORECASE)
# Only WebVTT's own tags and inline timestamps: a literal "<3" or "a < b" in speech stays.
_TAG_RE = re.compile(r"</?(?:v|c|i|b|u|lang|ruby|rt)\b[^>]*>|<\d[\d:.]*>", re.IGNORECASE)
_SPEAKER_CHANGE_RE = re.compile(r"^\s*(?:>>|&gt;&gt;)\s*")
_SKIPPED_BLOCKS = ("NOTE", "STYLE", "REGION")


@dataclass(slots=True)
class RawCue:
    """A cue as written: times in seconds and its text lines, markup and all."""

    start: float
    end: float
    lines: list[str]


def parse_cue_blocks(text: str) -> list[RawCue]:
    """Cues from VTT/SRT-like text, tolerating the common ways files break the format."""
    cues: list[RawCue] = []
    for block in _blocks(_without_header(text)):
        first = block[0].strip()
        if not TIMING_RE.match(first) and first.split(" ")[0] in _SKIPPED_BLOCKS:
            continue
        _read_block(block, cues)
    return cues


def _without_header(text: str) -> list[str]:
    lines = text.splitlines()
    if lines and lines[0].lstrip("\ufeff").startswith("WEBVTT"):
        end = 1
        while end < len(lines) and lines[end].strip() and not TIMING_RE.match(lines[end]):
            end += 1  # header metadata such as "Kind: captions"
        lines = lines[end:]
    return lines


def _blocks(lines: list[str]) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def _read_block(block: list[str], cues: list[RawCue]) -> None:
    for index, line in enumerate(block):
        if _ANY_TIMING_RE.match(line):
            _add_cue(TIMING_RE.match(line), cues)
            continue
        next_is_timing = index + 1 < len(block) and _ANY_TIMING_RE.match(block[index + 1])
        if next_is_timing and (line.strip().isdigit() or index == 0):
            continue  # cue number (SRT) or cue identifier (VTT)
        if cues:  # text; a block without timing continues the previous cue (lose no words)
            cues[-1].lines.append(line)


def _add_cue(timing: re.Match[str] | None, cues: list[RawCue]) -> None:
    """Start a cue; one whose times cannot be read keeps its words at the previous cue's end."""
    start = parse_timecode(timing["start"]) if timing else None
    end = parse_timecode(timing["end"]) if timing else None
    if start is None or end is None:
        start = end = cues[-1].end if cues else 0.0
    cues.append(RawCue(start, max(start, end), []))


def cues_to_segments(cues: list[RawCue]) -> list[Segment]:
    """Segments from raw cues: speakers found, markup stripped, rolling repeats removed.

    Cues are taken in time order (a stable sort), so one written out of place keeps its own time
    rather than being clamped to its neighbour's.
    """
    cues = sorted(cues, key=lambda cue: cue.start)
    if _is_rolling(cues):
        cues = _unroll(cues)
    segments: list[Segment] = []
    speaker: str | None = None
    for cue in cues:
        for label, text in _cue_runs(cue.lines):
            if label is not _SAME:
                speaker = label
            if text:
                segments.append(Segment(cue.start, cue.end, speaker, text))
    return tidy(segments)


class _Same:
    """Marker: the speaker carries on from the previous cue."""


_SAME = _Same()


def _cue_runs(lines: list[str]) -> list[tuple[str | _Same | None, str]]:
    runs: list[tuple[str | _Same | None, str]] = []
    for line in lines:
        label: str | _Same | None = _SAME
        voice = _VOICE_RE.search(line)
        if voice:
            label = clean_speaker(voice["name"])
        change = _SPEAKER_CHANGE_RE.match(line)
        if change:
            label, line = None, line[change.end() :]
        text = " ".join(html.unescape(_TAG_RE.sub("", line)).split())
        named, text = split_speaker(text)
        if named:
            label = named
        if runs and label is _SAME:
            runs[-1] = (runs[-1][0], f"{runs[-1][1]} {text}".strip())
        else:
            runs.append((label, text))
    return runs


def _plain(line: str) -> str:
    return " ".join(_TAG_RE.sub("", line).split())


def _is_rolling(cues: list[RawCue]) -> bool:
    """YouTube auto-captions repeat the previous cue's last line as the next cue's first."""
    multi = rolled = 0
    for prev, cue in itertools.pairwise(cues):
        lines = [line for line in map(_plain, cue.lines) if line]
        shown = [line for line in map(_plain, prev.lines) if line]
        if len(lines) > 1:
            multi += 1
            rolled += bool(shown) and lines[0] == shown[-1]
    return rolled >= 3 and rolled >= 0.5 * multi


def _unroll(cues: list[RawCue]) -> list[RawCue]:
    out: list[RawCue] = []
    shown: list[str] = []  # the lines on screen before this cue
    for cue in cues:
        lines = [_plain(line) for line in cue.lines if _plain(line)]
        fresh = lines[_overlap(shown, lines) :]
        shown = lines or shown
        if fresh:
            out.append(RawCue(cue.start, cue.end, fresh))
    return out


def _overlap(shown: list[str], lines: list[str]) -> int:
    """How many leading ``lines`` repeat the tail of ``shown``."""
    for size in range(min(len(shown), len(lines)), 0, -1):
        if shown[-size:] == lines[:size]:
            return size
    return 0
