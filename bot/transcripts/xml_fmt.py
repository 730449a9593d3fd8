"""Podlove simple-transcripts XML (``<pst:speech>`` with timed ``<pst:item>`` words)."""

from __future__ import annotations

from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from bot.core.errors import TranscriptError
from bot.core.values import Segment
from bot.transcripts.segments import Word, merge_into_sentences, tidy
from bot.transcripts.speaker import clean_speaker
from bot.transcripts.timecode import parse_timecode


def parse_podlove_xml(text: str) -> list[Segment]:
    """Segments from Podlove XML, words merged into sentences per speaker."""
    try:
        root = SafeET.fromstring(text.encode("utf-8"))
    except (SafeET.ParseError, DefusedXmlException) as exc:
        raise TranscriptError(f"invalid XML transcript: {exc}") from None
    words: list[Word] = []
    for speech in _children(root, "speech"):
        speaker = clean_speaker(" ".join(_texts(speech, "speaker")) or None)
        for item in _children(speech, "item"):
            start = parse_timecode(item.get("start", ""))
            if start is None:
                continue
            end = parse_timecode(item.get("end", "")) or start
            words.append(Word(start, end, speaker, "".join(item.itertext())))
    return tidy(merge_into_sentences(words))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(node: Element, name: str) -> list[Element]:
    return [child for child in node.iter() if _local(child.tag) == name]


def _texts(node: Element, name: str) -> list[str]:
    return ["".join(el.itertext()).strip() for el in _children(node, name)]
