"""The fast path of feed parsing: well-formed RSS read with lxml, feedparser's values rebuilt.

feedparser spends most of its time in per-element Python bookkeeping. For the common shape of a
podcast feed (RSS, UTF-8, no DTD, the usual RSS/iTunes/Podcasting 2.0 tags) this module and
``bot.feeds.fast_reader`` rebuild, from an lxml tree, exactly the feed and entry values
``bot.feeds.parse`` reads from feedparser, following feedparser's own rules (and calling its
sanitiser and date parser). Any feed outside that subset raises ``Declined`` and feedparser
parses it instead, so a feed the fast path cannot read exactly is never read differently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from feedparser.mixin import _FeedParserMixin
from feedparser.urls import make_safe_absolute_uri
from lxml import etree

from bot.feeds.fast_reader import Reader
from bot.feeds.fast_text import Declined, item_scan, podcast_prefixes

__all__ = ["Declined", "FastFeed", "fast_parse"]

_XML_DECL = re.compile(rb"^<\?xml[^>]*?encoding=[\"']([A-Za-z0-9._-]+)[\"']")
_NS_DECL = re.compile(rb"xmlns(:[A-Za-z0-9._-]+)?\s*=\s*[\"']([^\"']*)[\"']")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._-]+)", re.I)
_XML_MEDIA = ("application/rss+xml", "application/xml", "application/atom+xml", "text/xml")


@dataclass
class FastFeed:
    """feedparser-shaped values for the fields ``bot.feeds.parse`` reads."""

    meta: dict[str, Any]
    entries: list[dict[str, Any]]
    scanned: list  # list[ScannedItem], the podcast:* tags of every item
    text: str


@cache
def _known_namespaces() -> dict[str, str]:
    return {uri.lower(): prefix for uri, prefix in _FeedParserMixin.namespaces.items()}


def fast_parse(data: bytes, *, url: str, content_type: str | None) -> FastFeed:
    """The feed's values as feedparser would give them; Declined when unsure."""
    _check_encoding(data, content_type)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Declined("not UTF-8") from None
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise Declined("DTD")
    prefixes = _namespace_prefixes(data)
    root = _tree(data)
    if len(root.nsmap) != len(prefixes):
        raise Declined("namespaces declared below the root")  # the text scan reads them late
    reader = Reader(_base_uri(url), prefixes)
    reader.channel(_channel(root))
    podcast = podcast_prefixes(root)
    scanned = [item_scan(item, podcast) for item in root.iter("item", "entry")]
    return FastFeed(meta=reader.feed, entries=reader.entries, scanned=scanned, text=text)


def _check_encoding(data: bytes, content_type: str | None) -> None:
    """UTF-8 declared (or implied) everywhere feedparser would look, else Declined."""
    if data.startswith((b"\xef\xbb\xbf", b"\xfe\xff", b"\xff\xfe", b"\x00")):
        raise Declined("byte order mark")
    declared = _XML_DECL.match(data)
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        raise Declined("declared encoding is not UTF-8")
    if content_type is None:
        return
    media = content_type.split(";", 1)[0].strip().lower()
    charset = _CHARSET.search(content_type)
    if media not in _XML_MEDIA:
        raise Declined("unusual content type")
    if charset is None:
        if media.startswith("text/"):  # RFC 3023: text/* without charset means us-ascii
            raise Declined("text/* without charset")
        return
    if charset.group(1).lower() not in ("utf-8", "utf8"):
        raise Declined("charset is not UTF-8")


def _namespace_prefixes(data: bytes) -> dict[str, str]:
    """Namespace URI → the prefix feedparser names its elements by (one prefix per URI)."""
    known = _known_namespaces()
    by_uri: dict[str, str] = {}
    by_prefix: dict[str, str] = {}
    for prefix_match, uri_bytes in _NS_DECL.findall(data):
        if not prefix_match:
            raise Declined("default namespace")
        prefix, uri = prefix_match[1:].decode(), uri_bytes.decode("utf-8", "replace")
        if by_uri.setdefault(uri, prefix) != prefix or by_prefix.setdefault(prefix, uri) != uri:
            raise Declined("a namespace bound twice")
        if "backend.userland.com" in uri.lower():
            raise Declined("userland namespace")
    return {uri: known.get(uri.lower(), prefix) for uri, prefix in by_uri.items()}


def _tree(data: bytes) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise Declined(f"not well-formed: {exc}") from None
    if next(root.iter(etree.Comment, etree.PI), None) is not None:
        raise Declined("comment or processing instruction")
    return root


def _channel(root: etree._Element) -> etree._Element:
    # feedparser reads every RSS version's elements alike; only Atom differs (not taken here)
    if root.tag != "rss":
        raise Declined("not RSS")
    if set(root.attrib) - {"version"} or (root.text or "").strip():
        raise Declined("root attributes")
    children = list(root)
    if len(children) != 1 or children[0].tag != "channel" or children[0].attrib:
        raise Declined("not one plain channel")
    return children[0]


def _base_uri(url: str) -> str:
    """feedparser's base URI for a stream whose Content-Location is ``url``."""
    base = make_safe_absolute_uri("", url) or ""
    return (make_safe_absolute_uri(base, base) or base) if base else ""
