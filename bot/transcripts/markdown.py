"""Markdown transcripts in the Changelog style: ``**Speaker:**`` labels, ``\\[MM:SS\\]`` markers.

Past the hour Changelog writes ``\\[01:02:55.13\\]`` (hours and hundredths), older files may write
minutes past 60 (``\\[112:31\\]``); breaks read ``\\[18:04\\] to \\[18:51\\]``. A marker inside a
paragraph starts a new segment there. Unlabelled paragraphs continue the last speaker. Markers
come only every few minutes, so the pieces between them are timed by their words (``pacing``);
a file without any markers stays untimed (every start 0).
Links keep their text and lose their URL; headings, emphasis and list or quote markers go.
"""

from __future__ import annotations

import re

from bot.core.values import Segment
from bot.transcripts.markers import marked_pieces, without_note_times
from bot.transcripts.pacing import Piece, paced_segments
from bot.transcripts.segments import tidy
from bot.transcripts.speaker import clean_speaker

# "**Ann Lee:**" or "**Break**:"; the colon tells a label from a bold opening word
_LABEL_RE = re.compile(r"^\s*\*\*(?P<name>[^*\n]{1,60}?)(?::\*\*|\*\*:)\s*")
# a paragraph ends at a blank line, or where a line opens with the next speaker's label
_PARAGRAPH_END_RE = re.compile(r"\n\s*\n|\n(?=\s*\*\*[^*\n]{1,60}?(?::\*\*|\*\*:))")
# "[text](url)": the URL may hold one level of parentheses ("Go_(game)") and even spaces
_LINK_RE = re.compile(r"(?<!\\)\[(?P<text>[^\]\n]*)\]\((?:[^()\n]|\([^()\n]*\))*\)")
_HTML_TAG_RE = re.compile(r"</?[a-z][a-z0-9]*\b[^<>\n]*>", re.IGNORECASE)  # <strike>, <br>
_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|~])")
# an escaped "\*" is a literal star ("f\*\*ks"), never a delimiter; "_" only around words
_EMPHASIS_RE = re.compile(
    r"(?<![\\*])(?P<star>\*\*|\*)(?=\S)(?P<a>.+?)(?<=[^\s\\])(?P=star)"
    r"|(?<![\w\\])(?P<bar>__|_)(?=\S)(?P<b>.+?)(?<=[^\s\\])(?P=bar)(?!\w)"  # not snake_case
)
_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}(?:\s|$)")
_BLOCK_MARK_RE = re.compile(r"^\s{0,3}(?:>\s?)+|^\s{0,3}[-*+]\s+")  # quote ">", list "-"


def parse_markdown(text: str) -> list[Segment]:
    """Segments from a Markdown transcript: one per paragraph, and one more per inner marker."""
    pieces: list[Piece] = []
    speaker: str | None = None
    for block in _PARAGRAPH_END_RE.split(text):
        label = _LABEL_RE.match(block)
        if label:  # before list markers go, so "- **Wed**: …" stays a list item
            speaker, block = clean_speaker(label["name"]), block[label.end() :]
        for marker, piece in marked_pieces(_paragraph_text(block)):
            # kept even without words: a marker alone ("**Break:** \[18:51\]") still times the next
            pieces.append(Piece(marker, speaker, spoken_text(piece)))
    return tidy(paced_segments(pieces))


def _paragraph_text(block: str) -> str:
    """A paragraph on one line, without heading lines and list or quote markers."""
    lines = [_BLOCK_MARK_RE.sub("", line) for line in block.splitlines()]
    return " ".join(" ".join(line for line in lines if not _HEADING_RE.match(line)).split())


def spoken_text(markdown: str) -> str:
    """The words of a Markdown fragment: link text without its URL, no emphasis or escapes."""
    text = _LINK_RE.sub(lambda m: m["text"], markdown)
    text = _HTML_TAG_RE.sub("", text)
    text = without_note_times(text)
    text = _EMPHASIS_RE.sub(lambda m: m["a"] or m["b"], text)
    return " ".join(_ESCAPE_RE.sub(r"\1", text).split())
