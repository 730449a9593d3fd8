"""Markdown transcripts written the way Changelog writes them: times, labels, links and markup."""

from __future__ import annotations

import pytest

from bot.core.values import Segment
from bot.transcripts.parse import parse_transcript
from bot.transcripts.timecode import parse_timecode


def _md(text: str) -> list[Segment]:
    parsed = parse_transcript(text.encode(), filename="episode.md")
    assert parsed.format == "markdown"
    return parsed.segments


@pytest.mark.parametrize(
    ("marker", "seconds"),
    [("112:31", 6751.0), ("59:58", 3598.0), ("01:02:55.13", 3775.13), ("1:28:04.07", 5284.07)],
)
def test_timecodes_past_the_hour(marker: str, seconds: float) -> None:
    assert parse_timecode(marker) == pytest.approx(seconds)


def test_markers_past_the_hour_in_both_spellings() -> None:
    segments = _md(
        "**Ann:** \\[59:57\\] Almost an hour.\n\n"
        "**Bo:** \\[01:02:55.13\\] Past it, with hours and hundredths.\n\n"
        "**Ann:** \\[112:31\\] Or minutes past sixty.\n"
    )
    assert [s.start for s in segments] == pytest.approx([3597.0, 3775.13, 6751.0])
    assert segments[1].text == "Past it, with hours and hundredths."


def test_a_break_range_is_a_time_not_speech() -> None:
    segments = _md(
        "**Ann:** Time for a break.\n\n"
        "**Break:** \\[18:04\\] to \\[\\\\00:18:51.08\\]\n\n"
        "**Ann:** And we are back.\n"
    )
    assert [(s.speaker, s.text) for s in segments] == [
        ("Ann", "Time for a break."),
        ("Ann", "And we are back."),
    ]
    assert segments[1].start == pytest.approx(1131.08)


def test_a_marker_inside_a_paragraph_starts_a_new_segment() -> None:
    segments = _md("**Jem:** \\[40:00\\] That's true, I felt it. \\[49:28\\] I believed in you.\n")
    assert [(s.start, s.speaker, s.text) for s in segments] == [
        (2400.0, "Jem", "That's true, I felt it."),
        (2968.0, "Jem", "I believed in you."),
    ]


def test_labels_on_consecutive_lines_are_separate_speakers() -> None:
    segments = _md("**Jerod:** Thanks, Mat...\n**Adam:** It's over now...\n**Jerod:** Bye.\n")
    assert [(s.speaker, s.text) for s in segments] == [
        ("Jerod", "Thanks, Mat..."),
        ("Adam", "It's over now..."),
        ("Jerod", "Bye."),
    ]


def test_links_keep_their_text_and_lose_their_url() -> None:
    segments = _md(
        "**Ann:** Built on [Electron](https://en.wikipedia.org/wiki/Electron_(software_framework)"
        "    ), isn't it? See [Open Source Summit](https://events.example.org/open source-summit/)"
        " and <strike>1.21 jigowatts</strike> 1.02 petabits.\n"
    )
    assert segments[0].text == (
        "Built on Electron, isn't it? See Open Source Summit and 1.21 jigowatts 1.02 petabits."
    )


def test_emphasis_escapes_lists_quotes_headings_and_note_times() -> None:
    segments = _md(
        "# Episode 1\n"
        "**Ann:** A *quoted* line, _CodeLens_ and snake_case_name, and bad\\*\\*\\*\\*\\*.\n\n"
        "> Running has changed my life.\n\n"
        "- **Wed**: Adam talks to David\n"
        "- **Fri**: Nick joins us\n\n"
        "It was \\[unintelligible 00:12:04.12\\] this.\n"
    )
    assert [(s.speaker, s.text) for s in segments] == [
        ("Ann", "A quoted line, CodeLens and snake_case_name, and bad*****."),
        ("Ann", "Running has changed my life."),
        ("Ann", "Wed: Adam talks to David Fri: Nick joins us"),
        ("Ann", "It was [unintelligible] this."),
    ]


def test_a_file_without_markers_stays_untimed() -> None:
    segments = _md("**Jerod:** Hello, friends.\n\nFirst up, Markwhen.\n\n**Break:**\n\nBye.\n")
    assert [s.text for s in segments] == ["Hello, friends.", "First up, Markwhen.", "Bye."]
    assert {(s.start, s.end) for s in segments} == {(0.0, 0.0)}


def test_changelog_markers_in_an_html_page_are_times() -> None:
    data = (
        b"<html><body><cite>Kris:</cite><p>Hello there.</p>"
        b"<p>\\[00:06:13.02\\] Yeah, an eight-year period.</p>"
        b"<p>It was \\[unintelligible 00:10:27.27\\] fine.</p></body></html>"
    )
    segments = parse_transcript(data, filename="page.html").segments
    assert [(s.start, s.text) for s in segments[:2]] == [
        (0.0, "Hello there."),
        (373.02, "Yeah, an eight-year period."),
    ]
    assert segments[2].start == 373.02 and "00:10:27" not in segments[2].text
