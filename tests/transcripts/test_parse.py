"""Parsing our own small samples, sniffing lying labels, and rejecting malformed input."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bot.core.errors import TranscriptError
from bot.core.values import Segment
from bot.demo.run import SAMPLES_DIR
from bot.transcripts.parse import parse_transcript
from bot.transcripts.timecode import parse_timecode
from tests.conftest import TEST_SAMPLES

SAMPLES = TEST_SAMPLES


def _sample(name: str, **labels: str) -> list[Segment]:
    return parse_transcript((SAMPLES / name).read_bytes(), filename=name, **labels).segments


def test_vtt_voices_identifiers_settings_and_entities() -> None:
    segments = _sample("voices.vtt")
    assert [(s.start, s.end, s.speaker) for s in segments] == [
        (1.0, 4.0, "Ann Lee"),
        (4.5, 7.25, "Bo"),
        (7.25, 9.0, "Ann Lee"),
        (7.25, 9.0, "Bo"),
        (70.0, 72.0, "Ann Lee"),
    ]
    assert segments[0].text == "Welcome to Field Notes & Footnotes, the show about maps."
    assert segments[1].text == "Thanks, Ann. Glad to be here <finally>."
    assert segments[2].text == "So, where do we start?"


def test_youtube_rolling_captions_keep_each_line_once() -> None:
    segments = _sample("rolling_captions.vtt")
    assert [s.text for s in segments] == [
        "welcome back to the show",
        "today we talk about compilers",
        "and why they matter so much",
        "for everyday programmers",
    ]
    assert [s.start for s in segments] == [0.0, 2.51, 5.01, 8.01]


def test_repeated_short_cues_are_real_speech_and_kept() -> None:
    data = (
        b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nYeah.\n\n00:00:02.000 --> 00:00:03.000\nYeah.\n"
    )
    assert [s.text for s in parse_transcript(data).segments] == ["Yeah.", "Yeah."]


def test_markdown_minutes_past_sixty_and_escapes() -> None:
    segments = _sample("long_show.md")
    # the 35 words before \[59:58\] lead up to it at the slowest likely rate (its markers are
    # far apart for so few words): 1.5 words a second
    assert [s.start for s in segments] == pytest.approx(
        [3598 - 35 / 1.5, 3598 - 19 / 1.5, 3598 - 14 / 1.5, 3598.0, 3665.0, 6751.0, 6900.0]
    )
    assert segments[1].text == "Happy to be here. [laughs]"
    assert segments[2].speaker == "Bo Diaz"  # an unlabelled paragraph continues the speaker
    assert "#hashtag and emphasis." in segments[2].text
    assert segments[-1].speaker == "Ann Lee"


def test_text_with_timestamps_and_speakers() -> None:
    segments = _sample("timed.txt")
    assert [(s.start, s.speaker) for s in segments] == [
        (0.0, "Ann"),
        (7.0, "Bo"),
        (75.0, "Ann"),
        (3723.0, "Bo"),
    ]
    assert segments[1].text.endswith("onto a second line without a timestamp.")
    assert segments[0].end == 7.0


def test_untimed_text_is_one_segment_per_paragraph() -> None:
    segments = _sample("untimed.txt")
    assert len(segments) == 2
    assert all(s.start == 0.0 for s in segments)


def test_otter_and_rev_speaker_headers() -> None:
    segments = _sample("otter_export.txt")
    assert [(s.start, s.speaker) for s in segments] == [
        (0.0, "Ann Lee"),
        (12.0, "Bo Diaz"),
        (3723.0, "Ann Lee"),
    ]
    assert segments[0].text.endswith("on a line of their own, followed by what they said.")


def test_a_time_inside_a_sentence_is_not_a_header() -> None:
    (segment,) = parse_transcript(b"We met at 12:30\nand then left.").segments
    assert segment.text == "We met at 12:30 and then left."


def test_braces_and_brackets_opening_a_text_transcript_are_not_json() -> None:
    assert parse_transcript(b"{music} Welcome to the show.").format == "text"
    assert parse_transcript(b"[00:12] Welcome to the show.").segments[0].start == 12.0


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("01:02:03.500", 3723.5),
        ("1:02:03,5", 3723.5),
        ("112:31", 6751.0),
        ("0.860", 0.86),
        ("00:00:00,179", 0.179),
        ("12:61", None),
        ("soon", None),
    ],
)
def test_timecodes(value: str, seconds: float | None) -> None:
    assert parse_timecode(value) == seconds


# --- sniffing: the content decides -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "mime", "filename", "expected"),
    [
        ("voices.vtt", "application/json", "episode.json", "vtt"),
        ("voices.vtt", "text/plain", "episode.txt", "vtt"),
        ("long_show.md", "text/plain", "episode.txt", "markdown"),
        ("long_show.md", "text/html", None, "markdown"),
        ("timed.txt", "text/vtt", "episode.vtt", "text"),
        ("rolling_captions.vtt", "application/x-subrip", "captions.srt", "vtt"),
    ],
)
def test_sniffing_ignores_lying_labels(
    name: str, mime: str, filename: str | None, expected: str
) -> None:
    data = (SAMPLES / name).read_bytes()
    assert parse_transcript(data, mime=mime, filename=filename).format == expected


@pytest.mark.parametrize(
    ("name", "mime", "expected"),
    [
        ("transcriptator/buzzcast.json", "text/html", "json"),
        ("transcriptator/buzzcast.srt", "text/vtt", "srt"),
        ("transcriptator/buzzcast.html", "application/json", "html"),
        ("podcast-transcript-convert/Episode_17.srt", "application/x-subrip", "srt"),
        ("podcast-transcript-convert/Hunting_CrossSite_Scripting_on_the_Web.xsl", None, "xml"),
        ("changelog/practicalai__practical-ai-250.md", "text/plain", "markdown"),
    ],
)
def test_sniffing_corpus_files_under_wrong_types(
    corpus: Path, name: str, mime: str | None, expected: str
) -> None:
    data = (corpus / "transcripts" / name).read_bytes()
    parsed = parse_transcript(data, mime=mime, filename="transcript.bin")
    assert parsed.format == expected
    assert len(parsed.segments) > 10


def test_declared_markdown_is_honoured_for_ambiguous_text() -> None:
    data = b"Just a paragraph of speech with nothing to sniff.\n"
    assert parse_transcript(data, mime="text/markdown").format == "markdown"
    assert parse_transcript(data).format == "text"


def test_utf16_and_windows_1252_text_decode() -> None:
    text = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Zoë>Café au lait.\n"
    for data in (text.encode("utf-16"), text.encode("cp1252")):
        (segment,) = parse_transcript(data).segments
        assert (segment.speaker, segment.text) == ("Zoë", "Café au lait.")


# --- malformed input: a clear one-line reason --------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty transcript"),
        (b"   \n\n\t ", "empty transcript"),
        (random.Random(7).randbytes(4096), "binary data"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        (b'{"version": "1.0.0", "segments": [{"startTime": 0.5, "body": "I"', "invalid JSON"),
        (b'{"version": "1.0.0"}', 'no "segments" list'),
        (b'{"segments": [{"startTime": "soon", "body": "hi"}]}', "no valid time"),
        (b'{"segments": []}', "no transcript text"),
        (b"WEBVTT\n\n", "no transcript text"),
        (b"<html><body><script>var x = 1;</script></body></html>", "no transcript text"),
        (b'<?xml version="1.0"?><pst:transcripts xmlns:pst="x"><pst:speech>', "invalid XML"),
    ],
)
def test_malformed_input_raises_a_one_line_reason(data: bytes, reason: str) -> None:
    with pytest.raises(TranscriptError) as info:
        parse_transcript(data)
    message = str(info.value)
    assert reason in message
    assert "\n" not in message


def test_truncated_corpus_json_is_rejected(corpus: Path) -> None:
    data = (corpus / "transcripts" / "transcriptator" / "buzzcast.json").read_bytes()
    with pytest.raises(TranscriptError, match="invalid JSON transcript"):
        parse_transcript(data[: len(data) // 2], mime="application/json")


def test_xml_entity_bombs_are_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<pst:transcripts xmlns:pst="http://podlove.org/simple-transcripts">&b;</pst:transcripts>'
    )
    with pytest.raises(TranscriptError, match="invalid XML transcript"):
        parse_transcript(bomb)


def test_every_bundled_sample_transcript_parses_with_speakers() -> None:
    samples = SAMPLES_DIR
    files = [
        p
        for p in samples.glob("*/*")
        if p.suffix in {".vtt", ".srt", ".json", ".html"} and "chapters" not in p.name
    ]
    assert len(files) >= 9
    for path in files:
        segments = parse_transcript(path.read_bytes(), filename=path.name).segments
        assert len(segments) > 20, path.name
        assert all(s.speaker for s in segments), path.name
    vtt, srt = (
        parse_transcript(
            (samples / "inference-hour" / f"open-weights-closed-wallets.{ext}").read_bytes()
        )
        for ext in ("vtt", "srt")
    )
    assert vtt.segments == srt.segments


# --- bodies that are not transcripts, and broken cue timings ------------------------------------

SOFT_404 = (
    b"<!doctype html><html><head><title>404</title></head><body>"
    b"<h1>Not found</h1><p>Sorry, this page does not exist.</p></body></html>"
)


@pytest.mark.parametrize("mime", ["text/vtt", "application/x-subrip", "application/json"])
def test_an_html_page_served_for_timed_captions_is_refused(mime: str) -> None:
    with pytest.raises(TranscriptError, match=r"error page|no times"):
        parse_transcript(SOFT_404, mime=mime)


@pytest.mark.parametrize(
    ("data", "mime"),
    [(SOFT_404, "text/html"), (b"Not Found\n", "text/plain"), (b"404 page not found", None)],
)
def test_an_error_page_is_refused_whatever_it_claims(data: bytes, mime: str | None) -> None:
    with pytest.raises(TranscriptError, match="error page"):
        parse_transcript(data, mime=mime)


def test_a_transcript_that_says_sorry_is_still_a_transcript() -> None:
    text = "Host: Sorry I'm late. " + "We talked about databases and their indexes. " * 30
    assert parse_transcript(text.encode(), mime="text/plain").segments


def test_an_out_of_order_cue_keeps_its_own_time() -> None:
    vtt = (
        "WEBVTT\n\n00:10:00.000 --> 00:10:04.000\nLater words.\n\n"
        "00:00:01.000 --> 00:00:04.000\nFirst words.\n\n"
        "00:10:05.000 --> 00:10:08.000\nLast words.\n"
    )
    segments = parse_transcript(vtt.encode(), mime="text/vtt").segments
    assert [(s.start, s.text) for s in segments] == [
        (1.0, "First words."),
        (600.0, "Later words."),
        (605.0, "Last words."),
    ]


@pytest.mark.parametrize(
    ("text", "mime"),
    [
        (
            "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nOne.\n\n"
            "00:00:xx.000 --> 00:00:09.000\nTwo.\n\n00:00:10.000 --> 00:00:12.000\nThree.\n",
            "text/vtt",
        ),
        (
            "1\n00:00:01,000 --> 00:00:04,000\nOne.\n\n2\nbogus --> 00:00:09,000\nTwo.\n\n"
            "3\n00:00:10,000 --> 00:00:12,000\nThree.\n",
            "application/x-subrip",
        ),
        (
            "1\n00:00:01,000 --> 00:00:04,000\nOne.\n\n2\n00:00:99,000 --> 00:01:61,000\nTwo.\n\n"
            "3\n00:00:10,000 --> 00:00:12,000\nThree.\n",
            "application/x-subrip",
        ),
    ],
)
def test_a_garbled_timing_line_keeps_its_words_and_never_reaches_the_text(
    text: str, mime: str
) -> None:
    segments = parse_transcript(text.encode(), mime=mime).segments
    assert [s.text for s in segments] == ["One.", "Two.", "Three."]
    starts = [s.start for s in segments]
    assert starts == sorted(starts) and starts[0] == 1.0 and starts[2] == 10.0


def test_a_long_web_page_where_captions_were_promised_is_refused() -> None:
    page = "<html><body>" + "<p>Our shows, our hosts, our sponsors and our merch.</p>" * 40
    with pytest.raises(TranscriptError, match="declared vtt but the body is html with no times"):
        parse_transcript((page + "</body></html>").encode(), mime="text/vtt")
