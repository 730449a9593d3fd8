"""A lenient scan of Podcasting 2.0 tags that feedparser flattens or drops.

feedparser keeps only the last ``podcast:transcript``/``podcast:person`` of an item and drops a
person's name, so we read those tags ourselves. ``html.parser`` is used because it never
refuses a document: it accepts undeclared prefixes, undefined entities and mismatched tags,
which real feeds are full of, and it never fetches anything.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from html.parser import HTMLParser

log = logging.getLogger(__name__)

PODCAST_NS = "podcastindex.org/namespace"
ITEM_TAGS = {"item", "entry"}


@dataclass
class ScannedItem:
    """What the scan found inside one ``<item>``/``<entry>``, in document order."""

    guid: str | None = None
    enclosure: str | None = None
    transcripts: list[dict] = field(default_factory=list)
    chapters_url: str | None = None
    persons: list[dict] = field(default_factory=list)


class _PodcastTagScanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[ScannedItem] = []
        self.prefixes = {"podcast"}
        self._item: ScannedItem | None = None
        self._text: list[str] | None = None
        self._capture: tuple[str, dict] | None = None

    def _local(self, tag: str) -> str | None:
        """``transcript`` for ``podcast:transcript`` (any prefix bound to the namespace)."""
        prefix, _, local = tag.rpartition(":")
        return local if prefix in self.prefixes else None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: (v or "").strip() for k, v in attrs}
        for key, value in values.items():
            if key.startswith("xmlns:") and PODCAST_NS in value:
                self.prefixes.add(key[len("xmlns:") :])
        if tag in ITEM_TAGS:
            self._item = ScannedItem()
            self.items.append(self._item)
            return
        if self._item is None:
            return
        self._item_tag(tag, values)

    def _item_tag(self, tag: str, values: dict[str, str]) -> None:
        item = self._item
        assert item is not None
        local = self._local(tag)
        if local == "transcript" and values.get("url"):
            item.transcripts.append(
                {
                    "url": values["url"],
                    "type": values.get("type", "").lower(),
                    "language": values.get("language") or None,
                    "rel": values.get("rel") or None,
                }
            )
        elif local == "chapters" and values.get("url") and item.chapters_url is None:
            item.chapters_url = values["url"]
        elif local == "person":
            self._begin_capture("person", values)
        elif tag in ("guid", "id"):
            self._begin_capture("guid", values)
        elif tag == "enclosure" and values.get("url") and item.enclosure is None:
            item.enclosure = values["url"]

    def _begin_capture(self, kind: str, values: dict[str, str]) -> None:
        self._capture = (kind, values)
        self._text = []

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def unknown_decl(self, data: str) -> None:
        # CDATA sections arrive here ("CDATA[text"); a guid or a name may be wrapped in one.
        if self._text is not None and data.startswith("CDATA["):
            self._text.append(data[len("CDATA[") :])

    def handle_endtag(self, tag: str) -> None:
        if self._capture is not None:
            self._finish_capture()
        if tag in ITEM_TAGS:
            self._item = None

    def _finish_capture(self) -> None:
        assert self._capture is not None and self._item is not None
        kind, values = self._capture
        text = " ".join("".join(self._text or []).split())
        self._capture, self._text = None, None
        if kind == "guid" and text and self._item.guid is None:
            self._item.guid = text
        elif kind == "person" and text:
            self._item.persons.append(
                {
                    "name": text,
                    "role": (values.get("role") or "host").lower(),
                    "href": values.get("href") or None,
                    "img": values.get("img") or None,
                }
            )


def scan_podcast_tags(text: str) -> list[ScannedItem]:
    """Per-item Podcasting 2.0 tags, in document order; never raises on malformed markup."""
    scanner = _PodcastTagScanner()
    try:
        scanner.feed(text)
        scanner.close()
    except Exception as exc:  # html.parser is lenient; this is belt and braces for odd input
        log.debug("podcast tag scan stopped early: %s", exc)
    return scanner.items
