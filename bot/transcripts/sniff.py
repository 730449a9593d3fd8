"""Finding the real format of transcript bytes: the content decides, the label only breaks ties."""

from __future__ import annotations

import codecs
import re
from pathlib import PurePosixPath

from bot.core.errors import TranscriptError
from bot.transcripts.cues import TIMING_RE

FORMATS = ("json", "vtt", "srt", "html", "text", "markdown", "xml")
_BY_MIME = {
    "application/json": "json",
    "application/x-json": "json",
    "text/vtt": "vtt",
    "application/x-subrip": "srt",
    "application/srt": "srt",
    "text/srt": "srt",
    "text/x-srt": "srt",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "application/xml": "xml",
    "text/xml": "xml",
}
_BY_SUFFIX = {
    ".json": "json",
    ".vtt": "vtt",
    ".webvtt": "vtt",
    ".srt": "srt",
    ".html": "html",
    ".htm": "html",
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".xml": "xml",
    ".xsl": "xml",
}
_HTML_RE = re.compile(r"<(?:!doctype html|html|body|cite|time|p|div|span|br)\b", re.IGNORECASE)
_XML_RE = re.compile(r"^<\?xml|<(?:\w+:)?transcripts?\b|podlove\.org/simple-transcripts")
_MARKDOWN_RE = re.compile(r"^\s*\*\*[^*\n]{1,60}:\*\*|\\\[\d{1,3}:\d{2}(?::\d{2})?\\\]", re.M)
_JSON_RE = re.compile(r"^(?:\{\s*[\"}]|\[\s*[{\]])")  # "{music}" or "[00:12]" is text


def decode_transcript(data: bytes) -> str:
    """Text from transcript bytes (UTF-8/16 with or without BOM, else Windows-1252).

    Raises TranscriptError for empty input and for binary data.
    """
    if not data.strip():
        raise TranscriptError("empty transcript")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    if _looks_binary(text):
        raise TranscriptError("not a text transcript (binary data)")
    return text.lstrip("\ufeff")


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    odd = sum(1 for ch in sample if (ch < " " and ch not in "\t\n\r\f") or ch == "\ufffd")
    return "\x00" in sample or odd > len(sample) * 0.01


def declared_format(mime: str | None, filename: str | None) -> str | None:
    """The format a MIME type or file name claims (which may be a lie)."""
    if mime:
        found = _BY_MIME.get(mime.split(";")[0].strip().lower())
        if found:
            return found
    if filename:
        return _BY_SUFFIX.get(PurePosixPath(filename.split("?")[0]).suffix.lower())
    return None


def sniff_format(text: str, *, mime: str | None = None, filename: str | None = None) -> str:
    """The transcript's real format from its content; the declared one only for plain text."""
    head = text.lstrip()[:4000]
    if head.startswith("WEBVTT"):
        return "vtt"
    if _JSON_RE.match(head):
        return "json"
    if _XML_RE.search(head[:600]) and not re.search(r"<html\b", head, re.IGNORECASE):
        return "xml"
    if _has_timings(head):
        return "srt"
    if _HTML_RE.search(head):
        return "html"
    if _MARKDOWN_RE.search(text[:20000]):
        return "markdown"
    declared = declared_format(mime, filename)
    return "markdown" if declared == "markdown" else "text"


def _has_timings(head: str) -> bool:
    return any(TIMING_RE.match(line) for line in head.splitlines()[:40])
