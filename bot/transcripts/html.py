"""HTML transcripts: Podcasting 2.0 ``<cite>/<time>/<p>``, ``<p>MM:SS</p>`` markers, or none."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from bot.core.values import Segment
from bot.transcripts.markers import timed_pieces, without_note_times
from bot.transcripts.segments import fill_ends, tidy
from bot.transcripts.speaker import clean_speaker, split_speaker
from bot.transcripts.timecode import parse_timecode

_BLOCKS = frozenset({"p", "div", "li", "td", "h1", "h2", "h3", "h4", "blockquote", "dd", "dt"})
_SKIP = frozenset({"script", "style", "head", "title", "noscript", "template"})
_FIELDS = frozenset({"cite", "time"})


@dataclass
class _Reader(HTMLParser):
    """Collects (speaker, time, text) paragraphs from the HTML event stream."""

    paragraphs: list[tuple[str | None, float | None, str]] = field(default_factory=list)
    _speaker: str | None = None
    _time: float | None = None
    _buffer: list[str] = field(default_factory=list)
    _field: str | None = None
    _skip_depth: int = 0

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip_depth += 1
        elif tag in _FIELDS or tag in _BLOCKS:
            self._flush()
            self._field = tag if tag in _FIELDS else None
        elif tag == "br":
            self._buffer.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _FIELDS or tag in _BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self._buffer.append(data)

    def close(self) -> None:
        super().close()
        self._flush()

    def _flush(self) -> None:
        text = " ".join("".join(self._buffer).split())
        kind, self._field, self._buffer = self._field, None, []
        if not text:
            return
        if kind == "cite":
            self._speaker = clean_speaker(text)
        elif kind == "time":
            self._time = parse_timecode(text)
        elif (seconds := _bare_time(text)) is not None:
            self._time = seconds
        else:
            self._paragraph(text)

    def _paragraph(self, text: str) -> None:
        named, text = split_speaker(text)
        if named:
            self._speaker = named
        # Changelog's HTML pages keep the Markdown's "\[00:06:13.02\]" markers: times, not words
        for time, piece in timed_pieces(text, self._time):
            self._time, piece = time, without_note_times(piece).strip()
            if piece:
                self.paragraphs.append((self._speaker, time, piece))


def _bare_time(text: str) -> float | None:
    """A paragraph holding nothing but a timestamp (``<p>1:59</p>``) marks the next one's time."""
    return parse_timecode(text) if ":" in text else None


def parse_html(text: str) -> list[Segment]:
    """Segments from an HTML transcript; untimed paragraphs take the last time seen (or 0)."""
    reader = _Reader()
    reader.feed(text)
    reader.close()
    segments = [Segment(t or 0.0, t or 0.0, s, body) for s, t, body in reader.paragraphs]
    return tidy(fill_ends(segments))
