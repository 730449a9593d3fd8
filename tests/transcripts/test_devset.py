"""Regressions pinned on real devset episodes (read from ../shared, skipped without it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.values import Segment
from bot.transcripts.parse import parse_transcript


def _segments(corpus: Path, name: str) -> list[Segment]:
    path = corpus / name
    return parse_transcript(path.read_bytes(), filename=path.name).segments


def _starting(segments: list[Segment], phrase: str) -> Segment:
    return next(s for s in segments if s.text.startswith(phrase))


@pytest.mark.parametrize(
    ("name", "phrase", "start"),
    [
        # "\[01:28:04.07\]": past the hour Changelog writes hours and hundredths
        (
            "devset/changelog/friends__changelog--friends-24.md",
            "And I think between, say, JSON API and OpenAPI",
            5284.07,
        ),
        # the unlabelled paragraph after it has no marker: 78 of the 847 words from
        # \[01:28:04.07\] to \[01:32:27.09\] come before it
        (
            "devset/changelog/friends__changelog--friends-24.md",
            "The reason I don't Open API is because",
            5284.07 + 78 / 847 * (5547.09 - 5284.07),
        ),
        (
            "devset/changelog/podcast__the-changelog-240.md",
            "I think the first step with RSS",
            3775.13,
        ),
        # a marker mid-paragraph: the words after it start there, the words before do not
        ("devset/changelog/jsparty__js-party-151.md", "I believed in you from the beginning", 2968),
        # after "**Break:** \[18:04\] to \[\\00:18:51.08\]" speech resumes at the range's end
        ("devset/changelog/jsparty__js-party-1.md", "Alright, let's dive into this", 1131.08),
    ],
)
def test_changelog_times_run_past_the_hour(
    corpus: Path, name: str, phrase: str, start: float
) -> None:
    assert _starting(_segments(corpus, name), phrase).start == pytest.approx(start)


def test_long_changelog_episodes_are_timed_to_their_end(corpus: Path) -> None:
    segments = _segments(corpus, "devset/changelog/friends__changelog--friends-24.md")
    assert segments[-1].start > 99 * 60  # its last marker is \[01:39:13.27\]


@pytest.mark.parametrize(
    "name",
    [
        "devset/changelog/news__changelog-news-1.md",
        "devset/changelog/news__changelog-news-42.md",
        "devset/changelog/news__changelog-news-152.md",
        "devset/changelog/gotime__go-time-1.md",
    ],
)
def test_untimed_changelog_files_stay_untimed(corpus: Path, name: str) -> None:
    segments = _segments(corpus, name)
    assert len(segments) > 10
    assert {(s.start, s.end) for s in segments} == {(0.0, 0.0)}


def test_changelog_news_keeps_link_text_without_urls(corpus: Path) -> None:
    segments = _segments(corpus, "devset/changelog/news__changelog-news-152.md")
    texts = [s.text for s in segments]
    assert "An app can be a home-cooked meal" in texts  # was "[An app … meal](https://…)"
    assert not [t for t in texts if re.search(r"\]\(|https?://|</?strike>", t)]


def test_changelog_labels_on_consecutive_lines_are_not_speech(corpus: Path) -> None:
    segments = _segments(corpus, "devset/changelog/podcast__the-changelog-526.md")
    assert _starting(segments, "It's over now...").speaker == "Adam Stacoviak"
    assert not [s for s in segments if re.search(r"\b(?:Adam Stacoviak|Jerod Santo):", s.text)]


def test_a_changelog_html_page_takes_its_times_from_the_markers(corpus: Path) -> None:
    segments = _segments(corpus, "transcripts/podcast-transcript-convert/300_multiple_choices.html")
    assert _starting(segments, "Yeah, especially over").start == pytest.approx(373.02)
    assert segments[-1].start > 100 * 60  # Go Time #300 runs 106 minutes
    assert not [s for s in segments if re.search(r"\d\d:\d\d:\d\d", s.text)]


def test_talk_python_vtt_keeps_every_cue_including_repeated_ones(corpus: Path) -> None:
    """Each cue's words once, even the 50 "Yeah." cues that follow an identical "Yeah." cue."""
    path = corpus / "devset/talkpython/457-security-phylum.vtt"
    raw = path.read_text(encoding="utf-8")
    spoken = [
        line for line in raw.splitlines()[1:] if line.strip() and "-->" not in line
    ]  # no cue ids, NOTE blocks or tags in this file: every other line is speech
    segments = _segments(corpus, "devset/talkpython/457-security-phylum.vtt")
    assert sum(len(s.text.split()) for s in segments) == sum(len(t.split()) for t in spoken)
    assert len(segments) == len(spoken)
