"""Every real transcript keeps its spoken words: within 1% of an independent reference count.

The reference below shares no code with the parsers. Per format it does the obvious thing to the
raw file: throw away what is not speech (headers, cue timings and ids, NOTE blocks, tags, speaker
labels, timestamps, headings, link URLs, emphasis markers), de-duplicate YouTube rolling
captions, and count whitespace tokens that hold a letter or digit. The test then also compares
the words themselves (as a bag, case and edge punctuation ignored), which is what catches a URL
or a timestamp glued onto a spoken word, and checks that start times never go backwards.
"""

from __future__ import annotations

import html
import itertools
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from bot.transcripts.parse import ParsedTranscript, parse_transcript
from tests.conftest import CORPUS, TEST_SAMPLES

FOLDERS = ("transcripts", "devset")
TOLERANCE = 0.01


def corpus_files() -> list[str]:
    """Every transcript under both corpus folders, relative to the corpus (empty without it)."""
    if not CORPUS.is_dir():
        return []
    return sorted(
        str(path.relative_to(CORPUS))
        for folder in FOLDERS
        for path in (CORPUS / folder).glob("*/*")
        if path.is_file()
    )


# --- the independent reference ----------------------------------------------------------------

_HAS_WORD = re.compile(r"\w")
# "Name:" / "Leo Dion (host):" at the start of a line: one to four capitalised words
_LABEL = re.compile(r"^((?:[A-Z][\w.'’-]*)(?: [A-Z0-9][\w.'’-]*){0,3}(?: \([^)\n]*\))?):[ \t]")
_LABEL_MIN_USES = 2  # a real speaker label recurs; "Step Two: do this" said once is speech


def words(text: str) -> list[str]:
    """Whitespace tokens with at least one letter or digit (a lone "—" or ">>" is no word)."""
    return [token for token in text.split() if _HAS_WORD.search(token)]


def _strip_labels(lines: list[str]) -> list[str]:
    """Lines without their leading speaker label, for labels the file uses repeatedly."""
    uses = Counter(m[1] for line in lines if (m := _LABEL.match(line.strip())))
    labels = {name for name, count in uses.items() if count >= _LABEL_MIN_USES}
    out = []
    for line in lines:
        line = line.strip()
        match = _LABEL.match(line)
        out.append(line[match.end() :] if match and match[1] in labels else line)
    return out


def _cue_text(raw: str) -> list[list[str]]:
    """Each cue's text lines (VTT or SRT): header, NOTE/STYLE, numbers and timings removed."""
    cues: list[list[str]] = []
    for block in re.split(r"\n[ \t]*\n", raw.replace("\r\n", "\n")):
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        timing = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if timing is None:
            if lines[0].startswith(("WEBVTT", "NOTE", "STYLE", "REGION")):
                continue
            if cues:  # text after a stray blank line still belongs to the cue
                cues[-1].extend(lines)
            continue
        cues.append(lines[timing + 1 :])  # what precedes the timing is a number or cue id
    return cues


def _is_rolling(cues: list[list[str]]) -> bool:
    """YouTube rolling captions: most two-line cues open with the previous cue's last line."""
    multi = [index for index in range(1, len(cues)) if len(cues[index]) > 1 and cues[index - 1]]
    rolled = sum(cues[index][0] == cues[index - 1][-1] for index in multi)
    return bool(multi) and rolled >= len(multi) / 2


def _unrolled(cues: list[list[str]]) -> list[list[str]]:
    """Each rolling cue without the line it repeats from the cue before (a 10 ms repeat: all)."""
    if not _is_rolling(cues):
        return cues
    out = [cues[0]] if cues else []
    for previous, lines in itertools.pairwise(cues):
        if previous and lines and lines[0] == previous[-1]:
            lines = lines[1:]
        out.append(lines)
    return out


def reference_cues(raw: str) -> str:
    cues = [[re.sub(r"<[^>\n]*>", "", line).strip() for line in cue] for cue in _cue_text(raw)]
    lines = [line for cue in _unrolled(cues) for line in cue]
    lines = [re.sub(r"^(?:>>|&gt;&gt;)\s*", "", line) for line in lines]
    return html.unescape(" ".join(_strip_labels(lines)))


def reference_json(raw: str) -> str:
    return " ".join(seg["body"] for seg in json.loads(raw)["segments"])


_MD_TIME = r"\\?\[\\*\d{1,3}:\d\d(?::\d\d)?(?:\.\d+)?\\?\]"


def reference_html(raw: str) -> str:
    raw = re.sub(r"<(cite|time|head|script|style)\b.*?</\1>", "\n", raw, flags=re.S | re.I)
    raw = re.sub(r"<p>\s*\d+:\d\d(?::\d\d)?\s*</p>", "\n", raw)
    raw = re.sub(r"</?(?:p|div|br)\b[^>]*>", "\n", raw, flags=re.I)  # paragraphs → lines
    text = html.unescape(re.sub(r"<[^>]+>", " ", raw))
    text = re.sub(_MD_TIME, " ", text)  # Changelog's HTML pages keep its \[12:31\] markers
    text = re.sub(r" \d\d:\d\d:\d\d\.\d\d(\\\])", r"\1", text)  # [unintelligible 00:12:04.12]
    return " ".join(_strip_labels(text.split("\n")))


def reference_markdown(raw: str) -> str:
    text = re.sub(r"^\s{0,3}#{1,6}\s.*$", " ", raw, flags=re.M)  # headings
    text = re.sub(r"^\s*\*\*[^*\n]+?:?\*\*:?", " ", text, flags=re.M)  # **Name:** labels
    text = re.sub(rf"{_MD_TIME}\s+to\s+{_MD_TIME}", " ", text)  # "\[18:04\] to \[18:51\]"
    text = re.sub(_MD_TIME, " ", text)  # \[12:31\], \[01:02:55.13\]
    text = re.sub(r" \d\d:\d\d:\d\d\.\d\d(\\\])", r"\1", text)  # [unintelligible 00:12:04.12]
    # [link text](url), the URL possibly holding one level of parentheses
    text = re.sub(r"(?<!\\)!?\[([^\]\\]*)\]\((?:[^()]|\([^()]*\))*\)", r"\1", text)
    text = re.sub(r"</?[a-z]+>", "", text)  # inline HTML such as <strike>
    text = re.sub(r"(?<!\\)\*+|(?<![\w\\])_+|(?<!\\)_+(?!\w)", "", text)  # emphasis
    return re.sub(r"\\(.)", r"\1", text)  # escapes: \# \[ and a literal \*


def reference_text(raw: str) -> str:
    prefix = r"^\s*[\[(]?\d{1,2}:\d\d(?::\d\d)?[\])]?\s"  # "00:01:02 ", "[12:31] "
    lines = [re.sub(prefix, "", line) for line in raw.split("\n")]
    return " ".join(_strip_labels(lines))


def reference_xml(raw: str) -> str:
    items = re.findall(r"<pst:item\b[^>]*>(.*?)</pst:item>", raw, flags=re.S)
    return html.unescape(" ".join(items))


_TIMING = re.compile(r"^[\d:.,]+ ?--> ?[\d:.,]+", re.M)


def reference_kind(raw: str, name: str) -> str:
    """The format the content really is, by the plainest signs (a .txt may hold WebVTT)."""
    suffix = Path(name).suffix.lower()
    if raw.startswith("WEBVTT") or suffix in {".vtt", ".srt"} or _TIMING.search(raw[:2000]):
        return "cues"
    return {".json": "json", ".html": "html", ".md": "markdown", ".xsl": "xml"}.get(suffix, "text")


REFERENCES = {
    "cues": reference_cues,
    "json": reference_json,
    "html": reference_html,
    "markdown": reference_markdown,
    "text": reference_text,
    "xml": reference_xml,
}
PARSED_FORMATS = {
    "cues": {"vtt", "srt"},
    "json": {"json"},
    "html": {"html"},
    "markdown": {"markdown"},
    "text": {"text"},
    "xml": {"xml"},
}


def reference_words(path: Path) -> tuple[str, list[str]]:
    """(content kind, the spoken words) of a corpus file, by the reference rules above."""
    raw = path.read_text(encoding="utf-8-sig")
    kind = reference_kind(raw, path.name)
    return kind, words(REFERENCES[kind](raw))


def _bag(tokens: list[str]) -> Counter[str]:
    return Counter(token.strip("\"'“”‘’.,;:!?()[]*_-…").lower() for token in tokens)


def word_gap(parsed: list[str], reference: list[str]) -> tuple[float, float]:
    """(relative count difference, share of words not matched one-to-one) against the reference."""
    count = abs(len(parsed) - len(reference)) / len(reference)
    ours, theirs = _bag(parsed), _bag(reference)
    unmatched = sum(((ours - theirs) + (theirs - ours)).values()) / 2
    return count, unmatched / len(reference)


def _parsed_words(path: Path) -> list[str]:
    return [word for segment in _parse(path).segments for word in words(segment.text)]


def _parse(path: Path) -> ParsedTranscript:
    return parse_transcript(path.read_bytes(), filename=path.name)


# --- the tests --------------------------------------------------------------------------------


def test_both_corpus_folders_are_covered(corpus: Path) -> None:
    names = corpus_files()
    assert sum(name.startswith("devset/talkpython/") for name in names) == 40
    assert sum(name.startswith("devset/changelog/") for name in names) == 40
    assert sum(name.startswith("transcripts/") for name in names) >= 38


@pytest.mark.parametrize("name", corpus_files() or ["(no corpus)"])
def test_spoken_words_are_kept_within_one_percent(corpus: Path, name: str) -> None:
    path = corpus / name
    kind, expected = reference_words(path)
    parsed = _parse(path)
    got = [word for segment in parsed.segments for word in words(segment.text)]

    assert parsed.format in PARSED_FORMATS[kind]
    count_gap, unmatched = word_gap(got, expected)
    assert count_gap <= TOLERANCE, (len(got), len(expected))
    assert unmatched <= TOLERANCE, (_bag(got) - _bag(expected)).most_common(8)


@pytest.mark.parametrize("name", corpus_files() or ["(no corpus)"])
def test_start_times_never_go_backwards(corpus: Path, name: str) -> None:
    segments = _parse(corpus / name).segments
    starts = [segment.start for segment in segments]
    assert starts == sorted(starts)
    assert all(segment.end >= segment.start for segment in segments)


def test_the_reference_unrolls_youtube_captions() -> None:
    """The reference's de-duplication, checked on our own rolling sample (no corpus file rolls)."""
    path = TEST_SAMPLES / "rolling_captions.vtt"
    assert reference_words(path) == ("cues", _parsed_words(path))
    assert len(reference_words(path)[1]) == 5 + 5 + 6 + 3
