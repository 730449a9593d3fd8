"""The parser for each transcript format name."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.values import Segment
from bot.transcripts.html import parse_html
from bot.transcripts.json_fmt import parse_json
from bot.transcripts.markdown import parse_markdown
from bot.transcripts.srt import parse_srt
from bot.transcripts.text import parse_text
from bot.transcripts.vtt import parse_vtt
from bot.transcripts.xml_fmt import parse_podlove_xml

PARSERS: dict[str, Callable[[str], list[Segment]]] = {
    "json": parse_json,
    "vtt": parse_vtt,
    "srt": parse_srt,
    "html": parse_html,
    "text": parse_text,
    "markdown": parse_markdown,
    "xml": parse_podlove_xml,
}
