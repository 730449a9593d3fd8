"""Paragraphs between Changelog's sparse ``\\[mm:ss\\]`` markers are timed by the words before them.

The small cases spell the rules out; the devset cases check real episodes against an estimate
made straight from the raw file (its whitespace tokens, labels and all), sharing no parser code.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.values import Segment
from bot.transcripts.pacing import FALLBACK_WORDS_PER_SECOND
from bot.transcripts.parse import parse_transcript

CHANGELOG = "devset/changelog"


def _md(text: str) -> list[Segment]:
    return parse_transcript(text.encode(), filename="episode.md").segments


def _words(count: int, word: str = "word") -> str:
    return " ".join([word] * count)


def _starts(segments: list[Segment]) -> list[float]:
    return [segment.start for segment in segments]


# --- the rules, on small made-up transcripts ---------------------------------------------------


def test_unmarked_paragraphs_are_placed_by_the_words_before_them() -> None:
    segments = _md(
        f"**Ann:** \\[10:00\\] {_words(10)}\n\n"
        f"**Bo:** {_words(20)}\n\n"
        f"{_words(10)}\n\n"
        f"**Ann:** \\[12:00\\] {_words(5)}\n"
    )
    # 40 words in the 120 s between the markers: 10 before Bo, 30 before the unlabelled paragraph
    assert _starts(segments) == pytest.approx([600, 630, 690, 720])
    assert segments[0].start == 600.0 and segments[-1].start == 720.0  # marked: exactly there
    assert [s.end for s in segments[:-1]] == _starts(segments)[1:]  # each ends as the next starts


def test_each_piece_of_a_paragraph_cut_at_an_inline_marker_is_paced() -> None:
    segments = _md(
        f"**Ann:** \\[10:00\\] {_words(10)} \\[10:20\\] {_words(10)}\n\n"
        f"{_words(10)}\n\n"
        f"**Bo:** \\[11:00\\] {_words(3)}\n"
    )
    assert _starts(segments) == pytest.approx([600, 620, 620 + 10 / 20 * 40, 660])


def test_after_the_last_marker_words_run_at_the_episodes_own_rate() -> None:
    segments = _md(
        f"**Ann:** \\[10:00\\] {_words(120)}\n\n"  # 2 words a second
        f"**Bo:** \\[11:00\\] {_words(20)}\n\n"
        f"**Ann:** {_words(30)}\n"
    )
    assert _starts(segments) == pytest.approx([600, 660, 670])
    assert segments[-1].end == pytest.approx(670 + 30 / 2)


def test_a_single_marker_falls_back_to_a_typical_speaking_rate() -> None:
    segments = _md(f"**Ann:** \\[10:00\\] {_words(26)}\n\n**Bo:** {_words(13)}\n")
    assert _starts(segments) == pytest.approx([600, 600 + 26 / FALLBACK_WORDS_PER_SECOND])


def test_words_after_a_break_are_placed_back_from_the_next_marker() -> None:
    """``**Break:** \\[11:00\\]`` is where the ad starts; nobody writes down where it ends."""
    segments = _md(
        f"**Ann:** \\[10:00\\] {_words(60)}\n\n"
        f"**Bo:** \\[10:30\\] {_words(60)}\n\n"  # 2 words a second
        "**Break:** \\[11:00\\]\n\n"
        f"**Ann:** {_words(20)}\n\n"
        f"**Bo:** {_words(20)}\n\n"
        f"**Ann:** \\[13:00\\] {_words(4)}\n"
    )
    # 40 words before 13:00 take 20 s: speech resumed at 12:40, not at the break's 11:00
    assert _starts(segments) == pytest.approx([600, 630, 760, 770, 780])
    assert segments[1].end == pytest.approx(760)


def test_a_break_range_stops_the_words_before_it_and_resumes_at_its_end() -> None:
    segments = _md(
        f"**Ann:** \\[10:00\\] {_words(30)}\n\n"
        f"**Bo:** {_words(30)}\n\n"
        "**Break:** \\[10:30\\] to \\[11:00\\]\n\n"
        f"**Ann:** {_words(10)}\n"
    )
    assert _starts(segments) == pytest.approx([600, 615, 660])


def test_words_before_the_first_marker_lead_up_to_it() -> None:
    intro = _md(
        f"**Ann:** {_words(20)}\n\n"
        f"**Bo:** \\[01:00\\] {_words(60)}\n\n"  # 2 words a second
        f"**Ann:** \\[01:30\\] {_words(4)}\n"
    )
    assert _starts(intro) == pytest.approx([60 - 20 / 2, 60, 90])
    crowded = _md(f"**Ann:** {_words(100)}\n\n**Bo:** {_words(100)}\n\n**Ann:** \\[00:10\\] Hi.\n")
    assert _starts(crowded) == pytest.approx([0, 5, 10])  # too many words: spread from 0


# --- real Changelog episodes -------------------------------------------------------------------

_RAW_MARKER = re.compile(r"\\?\[\\*(\d{1,3}:\d\d(?::\d\d)?(?:\.\d+)?)\\?\]")


def _seconds(timecode: str) -> float:
    total = 0.0
    for part in timecode.split(":"):
        total = total * 60 + float(part)
    return total


def _raw_estimate(raw: str, phrase: str) -> tuple[float, float, float]:
    """(previous marker, words-proportional estimate, next marker) for a phrase in a raw file."""
    at = raw.index(phrase)
    before = [m for m in _RAW_MARKER.finditer(raw) if m.end() <= at][-1]
    after = next(m for m in _RAW_MARKER.finditer(raw) if m.start() > at)
    low, high = _seconds(before[1]), _seconds(after[1])
    share = len(raw[before.end() : at].split()) / len(raw[before.end() : after.start()].split())
    return low, low + share * (high - low), high


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("jsparty__js-party-204.md", "Right. Right. Right. Exactly, right."),  # 29:17 .. 38:19
        ("gotime__go-time-304.md", "I definitely wanna touch on sort"),  # 06:14 .. 14:13
        ("practicalai__practical-ai-279.md", "I don't know if it's also"),  # 09:55 .. 18:08
        ("friends__changelog--friends-24.md", "The reason I don't Open API is"),  # 1:28 .. 1:32
    ],
)
def test_unmarked_paragraphs_between_distant_markers_are_placed_by_their_words(
    corpus: Path, name: str, phrase: str
) -> None:
    path = corpus / CHANGELOG / name
    low, estimate, high = _raw_estimate(path.read_text(encoding="utf-8"), phrase)
    segments = parse_transcript(path.read_bytes(), filename=name).segments
    start = next(s for s in segments if s.text.startswith(phrase)).start

    assert high - low > 240  # markers minutes apart: the old "previous marker" time was far off
    assert low < start < high
    assert abs(start - estimate) <= 10 < abs(low - estimate)


def _changelog_files(corpus: Path) -> list[Path]:
    return sorted((corpus / CHANGELOG).glob("*.md"))


def test_paragraphs_with_their_own_marker_keep_exactly_that_time(corpus: Path) -> None:
    # "**Name:** \[12:31\] words" or "\[12:31\] words"; not a range, not a marker alone (a break)
    label = r"(?:\*\*[^*\n]+?:\*\*[ \t]*)?"
    opening = re.compile(
        rf"^{label}{_RAW_MARKER.pattern}(?![ \t]*to\b)[ \t]*(?=[^\n]*[A-Za-z])", re.M
    )
    checked = 0
    for path in _changelog_files(corpus):
        raw = path.read_text(encoding="utf-8")
        starts = set(_starts(parse_transcript(path.read_bytes(), filename=path.name).segments))
        marked = {_seconds(match[1]) for match in opening.finditer(raw)}
        assert marked <= starts, (path.name, sorted(marked - starts)[:5])
        checked += len(marked)
    assert checked > 400


def test_ends_meet_the_next_start_and_untimed_files_stay_at_zero(corpus: Path) -> None:
    for path in _changelog_files(corpus):
        segments = parse_transcript(path.read_bytes(), filename=path.name).segments
        assert [s.end for s in segments[:-1]] == _starts(segments)[1:], path.name
        if not _RAW_MARKER.search(path.read_text(encoding="utf-8")):  # news__*, go-time-1
            assert {(s.start, s.end) for s in segments} == {(0.0, 0.0)}, path.name
        else:
            assert segments[-1].end > segments[-1].start, path.name


def test_a_paragraph_after_a_break_starts_after_the_break(corpus: Path) -> None:
    name = "friends__changelog--friends-24.md"
    segments = parse_transcript((corpus / CHANGELOG / name).read_bytes(), filename=name).segments
    # "**Break:** \[27:12\]", then six minutes of talk up to \[36:06\] fill almost nine
    back = next(s for s in segments if s.text.startswith("Back to APIs.")).start
    assert 27 * 60 + 12 < back < 36 * 60 + 6
