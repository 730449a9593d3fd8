"""Text values of the fast parse path: feedparser's HTML rules, and the podcast:* item scan.

``sanitized`` calls feedparser's own sanitiser, except for the HTML it provably returns as
written (plain text, bare ``<p>``-style tags), which is most show notes; ``item_scan`` reads
from the lxml tree what ``bot.feeds.podcast_namespace`` reads from the raw text.
"""

from __future__ import annotations

import contextlib
import re

from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.sanitizer import _sanitize_html
from lxml import etree

from bot.feeds.podcast_namespace import PODCAST_NS, ScannedItem

# Attribute-free tags the sanitiser writes back exactly as read (checked by a test).
_KEPT_TAGS = "p|b|i|em|strong|u|ul|ol|li|blockquote|h1|h2|h3|h4|h5|h6|code|pre|small|sub|sup"
# possessive: a long run of text never backtracks when the match fails
_AS_WRITTEN = re.compile(rf"(?:[^<>&]++|</?(?:{_KEPT_TAGS})>)*+")
_C1_CONTROLS = re.compile("[\x80-\x9f]")
# Attributes the scan reads. A tab or line break written inside one reads as a space in lxml
# but stays in html.parser; such a value (with an inner space) is declined.
_SCANNED = frozenset({"url", "type", "language", "rel", "role", "href", "img"})
_SPACE = re.compile(r"\s")


class Declined(Exception):
    """The feed is outside what the fast path reads exactly; feedparser should parse it."""


def sanitized(value: str, content_type: str) -> str:
    """feedparser's ``_sanitize_html`` of ``value``; skipped where it would change nothing."""
    if _AS_WRITTEN.fullmatch(value):
        return value.strip().replace("\r\n", "\n")
    return _sanitize_html(value, "utf-8", content_type)


def plain_text(value: str) -> str:
    """A text/plain value: sanitised as HTML when feedparser decides it looks like HTML."""
    if ("<" in value or "&" in value) and _FeedParserMixin.looks_like_html(value):
        return sanitized(value, "text/html")
    return value


def podcast_prefixes(root: etree._Element) -> frozenset[str]:
    """The prefixes the scan treats as the podcast namespace (``podcast`` always)."""
    bound = {p.lower() for p, uri in root.nsmap.items() if p and PODCAST_NS in uri}
    return frozenset(bound | {"podcast"})


def item_scan(item: etree._Element, prefixes: frozenset[str]) -> ScannedItem:
    """The podcast:* tags, guid and enclosure of one item, as the text scan finds them."""
    scanned = ScannedItem()
    for element in item.iterdescendants():
        tag = element.tag
        if not isinstance(tag, str):
            continue
        local = tag.rpartition("}")[2].lower()
        prefix = (element.prefix or "").lower()
        if prefix in prefixes:
            _podcast_tag(scanned, local, element)
        elif not prefix and local in ("guid", "id") and scanned.guid is None:
            scanned.guid = _scan_text(element) or None
        elif not prefix and local == "enclosure" and scanned.enclosure is None:
            scanned.enclosure = _values(element).get("url") or None
    return scanned


def _podcast_tag(scanned: ScannedItem, local: str, element: etree._Element) -> None:
    if local == "transcript":
        values = _values(element)
        if values.get("url"):
            scanned.transcripts.append(
                {
                    "url": values["url"],
                    "type": values.get("type", "").lower(),
                    "language": values.get("language") or None,
                    "rel": values.get("rel") or None,
                }
            )
    elif local == "chapters":
        url = _values(element).get("url")
        if url and scanned.chapters_url is None:
            scanned.chapters_url = url
    elif local == "person":
        values, name = _values(element), _scan_text(element)
        if name:
            scanned.persons.append(
                {
                    "name": name,
                    "role": (values.get("role") or "host").lower(),
                    "href": values.get("href") or None,
                    "img": values.get("img") or None,
                }
            )


def _scan_text(element: etree._Element) -> str:
    """A leaf's text, whitespace collapsed (the scan reads up to the next end tag)."""
    if len(element):
        raise Declined("markup inside a scanned tag")
    text = element.text or ""
    if _C1_CONTROLS.search(text):
        raise Declined("C1 controls (html.parser reads their references as cp1252)")
    return " ".join(text.split())


def _values(element: etree._Element) -> dict[str, str]:
    """Attributes as html.parser gives them: keys lowercased, values stripped."""
    values: dict[str, str] = {}
    for key, value in element.attrib.items():
        name = key.lower()
        stripped = value.strip()
        odd = name in _SCANNED and _SPACE.search(stripped)
        if odd or name in values or name[0] == "{" or _C1_CONTROLS.search(value):
            raise Declined("attribute the scan may read differently")
        values[name] = stripped
    return values


def feedparser_fixed(output: str) -> str:
    """feedparser's last touches on every popped value: UTF-8 mojibake and cp1252 repair."""
    if not output.isascii():
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            output = output.encode("iso-8859-1").decode("utf-8")
        output = output.translate(_cp1252)
    return output


def leaf_text(element: etree._Element) -> str:
    """A leaf's text, stripped (before any of feedparser's touches)."""
    if len(element):
        raise Declined("markup inside a leaf")
    return (element.text or "").strip()


def enforce_href(attrs: dict[str, str]) -> dict[str, str]:
    """feedparser's ``_enforce_href``: url, uri or href, whichever comes first, as href."""
    href = attrs.get("url", attrs.get("uri", attrs.get("href")))
    if href:
        attrs.pop("url", None)
        attrs.pop("uri", None)
        attrs["href"] = href
    return attrs


def element_attrs(element: etree._Element) -> dict[str, str]:
    """Attributes as feedparser's strict parser passes them (keys, rel and type lowercased)."""
    found = {}
    for key, value in element.attrib.items():
        if key[0] == "{":
            raise Declined("namespaced attribute")
        key = key.lower()
        found[key] = value.lower() if key in ("rel", "type") else value
    return found


def add_tag(tags: list[dict], term: str | None, scheme: str | None, label: str | None) -> None:
    """feedparser's ``_add_tag``: a category once, unless it is empty."""
    if not term and not scheme and not label:
        return
    value = {"term": term, "scheme": scheme, "label": label}
    if value not in tags:
        tags.append(value)
