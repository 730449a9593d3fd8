"""Every transcript in the shared corpus: format, words kept, order, speakers.

The word counts are checked against an independent count of the spoken words, made here with
deliberately simple, format-specific regexes over the raw file (no parser code shared): it
removes timestamps, cue numbers, markup and speaker labels and counts what is left.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from bot.transcripts.parse import ParsedTranscript, parse_transcript

# file → (format the content really is, speakers the file names, or None when it names none)
CORPUS_FILES: dict[str, tuple[str, set[str] | None]] = {
    "podcast-namespace/example.vtt": ("vtt", {"Sarah", "Gillian"}),
    "podcast-namespace/example.srt": ("srt", {"Travis", "Sarah"}),
    "podcast-namespace/example.json": ("json", {"Darth Vader", "Luke"}),
    "podcast-namespace/example.html": ("html", {"Travis", "Sarah"}),
    "transcriptator/buzzcast.html": ("html", {"Alban", "Kevin", "Travis", "Dave", "Tom"}),
    "transcriptator/buzzcast.json": ("json", {"Alban", "Kevin", "Travis", "Dave", "Tom"}),
    "transcriptator/buzzcast.srt": ("srt", {"Alban", "Kevin", "Travis", "Dave", "Tom"}),
    "transcriptator/how_to_start_a_podcast.json": ("json", {"Travis", "Eric"}),
    "transcriptator/podcasting_20_episode_124.srt": ("srt", {"Adam Curry", "Dave Jones"}),
    "transcriptator/podnews_daily_2024-01-25.vtt": ("vtt", {"SPEAKER_1"}),
    "transcriptator/podnews_weekly_review_2023-03-17.html": ("html", {"Norma-Jean Belenky"}),
    "transcriptator/podnews_weekly_review_2023-05-05.json": ("json", {"James C", "Sam Sethi"}),
    "transcriptator/podnews_weekly_review_2023-06-02.json": ("json", {"Speaker 1", "Speaker 2"}),
    "transcriptator/podnews_weekly_review_2024-01-19.vtt": ("vtt", {"SPEAKER_1", "SPEAKER_2"}),
    "transcriptator/kde_express-16_kde_en_telegram.vtt": ("vtt", None),
    "transcriptator/one_word_segments.json": ("json", {"Travis", "Eric"}),
    "podcast-transcript-convert/300_multiple_choices.html": (
        "html",
        {"Kris Brandow", "Jon Calhoun", "Johnny Boursiquot", "Ian Lopshire", "Angelica Hill"},
    ),
    "podcast-transcript-convert/78_Exploring_MCMC_Sampler_Algorithms,_with_Matt_D._Hoffman.html": (
        "html",
        None,
    ),
    "podcast-transcript-convert/AI_Autocomplete_for_QGIS.srt": ("srt", None),
    "podcast-transcript-convert/Bloat.srt": ("srt", {"Michael", "Chelsea"}),
    "podcast-transcript-convert/Episode_17.srt": ("srt", None),
    "podcast-transcript-convert/Hunting_CrossSite_Scripting_on_the_Web.xsl": ("xml", None),
    "podcast-transcript-convert/I_Quit_My_Job.srt": ("srt", None),
    "podcast-transcript-convert/Labs_Setting_Engineering_Goals_and_Reporting_to_Stakeholders.txt": (
        "vtt",
        {"Yishai Beeri", "Dan Lines", "Conor Bronsdon"},
    ),
    "podcast-transcript-convert/Managed_services_vs._DIY.vtt": ("vtt", {"Michael", "Nikolay"}),
    "podcast-transcript-convert/Tales_from_Manufacturing_Shipping_Rack_1.html": (
        "html",
        {"Speaker 1", "Speaker 2", "Speaker 3"},
    ),
    "podcast-transcript-convert/Talking_AI_at_OpenShift_Commons_Gathering_in_Raleigh.html": (
        "html",
        {"Speaker"},
    ),
    "podcast-transcript-convert/Yak_Shaving_with_Tim_Mitra.srt": (
        "srt",
        {"Leo Dion (host)", "Tim Mitra (guest)"},
    ),
    "podcast-transcript-convert/Zenlytic_Is_Building_You_A_Better_Coworker_With_AI_Agents.txt": (
        "vtt",
        None,
    ),
    "talkpython/001_nicola_iarocci_talk_python_to_me.vtt": ("vtt", None),
    "talkpython/100-guido-van-rossum.vtt": ("vtt", None),
    "talkpython/400-ruff-linter.vtt": ("vtt", None),
    "talkpython/501-marimo-reactive-notebooks-for-python.txt": ("text", None),
    "talkpython/youtube_305-python-community-at-python-discord.vtt": ("vtt", None),
    "changelog/podcast__the-changelog-600.md": ("markdown", {"Jerod Santo", "Benn Stancil"}),
    "changelog/gotime__go-time-300.md": (
        "markdown",
        {"Kris Brandow", "Jon Calhoun", "Johnny Boursiquot", "Ian Lopshire", "Angelica Hill"},
    ),
    "changelog/jsparty__js-party-200.md": ("markdown", {"Jerod Santo", "Brian Zelip"}),
    "changelog/practicalai__practical-ai-250.md": (
        "markdown",
        {"Daniel Whitenack", "Chris Benson", "Chang She"},
    ),
}

# --- the independent count --------------------------------------------------------------------

_WORD = re.compile(r"\w")
_LABEL = re.compile(r"^[A-Z][\w.'\-]*(?: [A-Z0-9][\w.'\-]*){0,3}(?: \([^)]*\))?:\s")


def count_words(text: str) -> int:
    """Whitespace tokens with at least one letter or digit (a lone "," or ">>" is not a word)."""
    return sum(1 for token in text.split() if _WORD.search(token))


def _cue_words(raw: str) -> int:
    kept: list[str] = []
    for block in re.split(r"\n[ \t]*\n", raw.replace("\r\n", "\n")):
        lines = block.strip("\n").split("\n")
        if lines[0].startswith(("WEBVTT", "NOTE", "STYLE")):
            continue
        for line in lines:
            if "-->" in line or line.strip().isdigit():
                continue
            line = re.sub(r"<[^>]*>", "", line).replace(">>", "")
            kept.append(_LABEL.sub("", line.strip()))
    return count_words(html.unescape(" ".join(kept)))


def _json_words(raw: str) -> int:
    return count_words(" ".join(seg["body"] for seg in json.loads(raw)["segments"]))


def _html_words(raw: str) -> int:
    raw = re.sub(r"<(cite|time|head|script|style)\b.*?</\1>", " ", raw, flags=re.S | re.I)
    raw = re.sub(r"<p>\s*\d+:\d\d(?::\d\d)?\s*</p>", " ", raw)
    return count_words(html.unescape(re.sub(r"<[^>]+>", " ", raw)))


def _markdown_words(raw: str) -> int:
    raw = re.sub(r"^\*\*[^*]+:\*\*", " ", raw, flags=re.M)
    raw = re.sub(r"\\?\[\d+:\d\d(?::\d\d)?\\?\]", " ", raw)
    return count_words(raw)


def _text_words(raw: str) -> int:
    return count_words(re.sub(r"^\d\d:\d\d:\d\d\s", " ", raw, flags=re.M))


def _xml_words(raw: str) -> int:
    items = re.findall(r"<pst:item\b[^>]*>(.*?)</pst:item>", raw, flags=re.S)
    return count_words(html.unescape(" ".join(items)))


def spoken_words(path: Path, fmt: str) -> int:
    raw = path.read_text(encoding="utf-8-sig")
    counter = {
        "vtt": _cue_words,
        "srt": _cue_words,
        "json": _json_words,
        "html": _html_words,
        "markdown": _markdown_words,
        "text": _text_words,
        "xml": _xml_words,
    }[fmt]
    return counter(raw)


def _parse(path: Path) -> ParsedTranscript:
    return parse_transcript(path.read_bytes(), filename=path.name)


# --- the tests --------------------------------------------------------------------------------


def test_the_table_covers_every_corpus_file(corpus: Path) -> None:
    on_disk = {
        str(p.relative_to(corpus / "transcripts"))
        for p in (corpus / "transcripts").glob("*/*")
        if p.is_file()
    }
    assert on_disk == set(CORPUS_FILES)


@pytest.mark.parametrize("name", sorted(CORPUS_FILES))
def test_corpus_file_parses_without_losing_words(corpus: Path, name: str) -> None:
    path = corpus / "transcripts" / name
    expected_format, speakers = CORPUS_FILES[name]
    parsed = _parse(path)

    assert parsed.format == expected_format
    expected = spoken_words(path, expected_format)
    got = count_words(" ".join(s.text for s in parsed.segments))
    assert abs(got - expected) <= 0.02 * expected, (got, expected)

    starts = [s.start for s in parsed.segments]
    assert starts == sorted(starts)
    assert all(s.end >= s.start and s.text.strip() for s in parsed.segments)

    found = {s.speaker for s in parsed.segments} - {None}
    if speakers is None:
        assert not found
    else:
        assert speakers <= found


@pytest.mark.parametrize(
    ("name", "last_start_at_least"),
    [
        ("podcast-transcript-convert/Episode_17.srt", 2800),  # VTT timings under .srt
        ("transcriptator/podnews_daily_2024-01-25.vtt", 200),  # "0.860 --> 7.380" timings
        ("podcast-transcript-convert/AI_Autocomplete_for_QGIS.srt", 2300),  # "-->" unspaced
        ("changelog/gotime__go-time-300.md", 3400),  # \[58:19\] markers
        ("talkpython/501-marimo-reactive-notebooks-for-python.txt", 3600),
        ("podcast-transcript-convert/Hunting_CrossSite_Scripting_on_the_Web.xsl", 1700),
    ],
)
def test_times_are_read_from_every_kind_of_timestamp(
    corpus: Path, name: str, last_start_at_least: float
) -> None:
    parsed = _parse(corpus / "transcripts" / name)
    assert parsed.segments[-1].start >= last_start_at_least


def test_the_same_episode_in_three_formats_gives_nearly_the_same_words(corpus: Path) -> None:
    base = corpus / "transcripts" / "transcriptator"
    words = {ext: _parse(base / f"buzzcast.{ext}").segments for ext in ("html", "json", "srt")}
    counts = {ext: count_words(" ".join(s.text for s in segs)) for ext, segs in words.items()}
    assert max(counts.values()) - min(counts.values()) <= 0.02 * min(counts.values()), counts
    vocab = {
        ext: {w.lower().strip(".,!?\"'") for s in segs for w in s.text.split()}
        for ext, segs in words.items()
    }
    shared = vocab["html"] & vocab["json"] & vocab["srt"]
    assert len(shared) >= 0.9 * min(len(v) for v in vocab.values())
    assert {s.speaker for s in words["json"]} == {s.speaker for s in words["srt"]}


def test_word_level_json_is_merged_into_sentences(corpus: Path) -> None:
    parsed = _parse(corpus / "transcripts" / "transcriptator" / "how_to_start_a_podcast.json")
    assert len(parsed.segments) < 2442 / 5  # 2442 one-word segments in the file
    first = parsed.segments[0]
    assert first.text == "Hey, Travis Albritain here."
    assert (first.start, first.end, first.speaker) == (0.3, 1.65, "Travis")


def test_json_with_spacing_tokens_joins_punctuation(corpus: Path) -> None:
    parsed = _parse(
        corpus / "transcripts" / "transcriptator" / "podnews_weekly_review_2023-06-02.json"
    )
    assert parsed.segments[0].text.startswith("It's Friday, the 2nd of")
