"""feedparser's element handling, rebuilt for the elements the fast parse path accepts.

Each method follows the feedparser handler it names (``_start_link``, ``_end_guid`` …) for the
keys ``bot.feeds.parse`` reads; an element whose handling could touch those keys in a way not
rebuilt here raises ``Declined``.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from feedparser.datetimes import _parse_date
from feedparser.mixin import _FeedParserMixin
from lxml import etree

from bot.feeds.fast_channel import ChannelTags
from bot.feeds.fast_text import (
    Declined,
    element_attrs,
    enforce_href,
    feedparser_fixed,
    leaf_text,
    plain_text,
    sanitized,
)
from bot.feeds.url_join import feedparser_joined

_ENTITY_IN_LINK = re.compile("&([A-Za-z0-9_]+);")
_HTML_TYPES = ("text/html", "application/xhtml+xml")

# Elements whose feedparser handlers touch only keys bot.feeds.parse never reads, per level.
_BOTH = {"copyright", "itunes_explicit", "itunes_block"}
HARMLESS_CHANNEL = frozenset(
    _BOTH | {"generator", "lastbuilddate", "pubdate", "webmaster", "cloud"}
)
HARMLESS_ITEM = frozenset(
    _BOTH
    | {"category", "itunes_keywords", "itunes_image", "itunes_subtitle", "itunes_category"}
    | {"author", "itunes_author", "dc_creator"}
)
# Keys an unknown element may not be stored under: parse.py reads them.
READ_KEYS = frozenset(
    {
        "title",
        "author",
        "summary",
        "subtitle",
        "link",
        "links",
        "image",
        "language",
        "tags",
        "id",
        "content",
        "guidislink",
        "published_parsed",
        "updated_parsed",
        "media_content",
        "href",
        "url",
        "description",
    }
)


@cache
def _handled_names() -> frozenset[str]:
    """Every element name feedparser has its own handler for."""
    names = set()
    for attr in dir(_FeedParserMixin):
        for lead in ("_start_", "_end_"):
            if attr.startswith(lead):
                names.add(attr[len(lead) :].lower())
    return frozenset(names)


class Reader(ChannelTags):
    """feedparser's state machine, for the elements the fast path accepts."""

    def __init__(self, base: str, prefixes: dict[str, str]) -> None:
        self.base = base
        self.prefixes = prefixes
        self.feed: dict[str, Any] = {}
        self.entries: list[dict[str, Any]] = []
        self.title_depth = -1
        self.has_content = False

    def key(self, element: etree._Element) -> str:
        """feedparser's name for an element: ``itunes_duration``, ``link`` (atom:link) …"""
        tag = element.tag
        if not isinstance(tag, str):
            raise Declined("entity or odd node")
        if tag[0] != "{":
            return tag.lower()
        uri, local = tag[1:].split("}", 1)
        prefix = self.prefixes.get(uri)
        if prefix is None:
            raise Declined("undeclared namespace")
        return f"{prefix}_{local}".lower() if prefix else local.lower()

    # --- text ------------------------------------------------------------------------------

    def text(self, element: etree._Element, kind: str) -> str:
        """A leaf's value as feedparser pops it; ``kind`` is its content type or "" for none."""
        output = leaf_text(element)
        if kind == "text/plain":
            output = plain_text(output)
        elif kind == "text/html":
            output = sanitized(output, kind)
        return feedparser_fixed(output)

    def content_text(self, element: etree._Element, default: str) -> tuple[str, str]:
        """(value, content type) of a push_content element (title, description, summary …)."""
        attrs = element_attrs(element)
        if attrs:
            raise Declined("attributes on a text element")
        return self.text(element, default), default

    # --- channel ---------------------------------------------------------------------------

    def channel(self, channel: etree._Element) -> None:
        for child in channel:
            key = self.key(child)
            if key == "item":
                self.item(child)
            elif key.endswith("_liveitem"):
                self.live_item(child)
            else:
                self.channel_child(child, key, 3)

    def live_item(self, element: etree._Element) -> None:
        """podcast:liveItem: feedparser has no handler, so its children count as the channel's."""
        for child in element:
            key = self.key(child)
            if key in ("item", "image") or key.endswith("_liveitem"):
                raise Declined(f"{key} inside a live item")
            if key in ("guid", "id"):
                self.guid(self.feed, child)
            elif key == "enclosure":
                self.leaf(child)  # feedparser adds it to the channel's links, which we never read
            else:
                self.channel_child(child, key, 4)

    def channel_child(self, child: etree._Element, key: str, depth: int) -> None:
        """One element in the channel's context (``depth`` as feedparser counts it)."""
        feed = self.feed
        if key == "title":
            self.title(feed, child, depth)
        elif key == "link":
            self.link(feed, child, entry=False)
        elif key in ("description", "itunes_summary"):
            self.summary(feed, child, key, entry=False)
        elif key == "itunes_subtitle":
            feed["subtitle"] = self.content_text(child, "text/plain")[0]
        elif key == "language":
            feed["language"] = self.text(child, "")
        elif key == "itunes_new-feed-url":
            if element_attrs(child):
                raise Declined("attributes on itunes:new-feed-url")
            feed[key] = self.text(child, "")
        elif key in ("author", "itunes_author", "managingeditor", "dc_creator"):
            self.author(feed, child)
        elif key == "itunes_owner":
            self.owner(feed, child)
        elif key == "itunes_image":
            self.itunes_image(feed, child)
        elif key == "image":
            self.image(child)
        elif key in ("category", "itunes_category", "itunes_keywords"):
            self.category(feed, child, key)
        else:
            self.other(child, key, feed, HARMLESS_CHANNEL)

    def title(self, context: dict, element: etree._Element, depth: int) -> None:
        value, _kind = self.content_text(element, "text/plain")
        if not -1 < self.title_depth <= depth:  # feedparser keeps the first title at a level
            context["title"] = value
        if value:
            self.title_depth = depth

    def link(self, context: dict, element: etree._Element, *, entry: bool) -> None:
        """``_start_link``/``pop('link')``: an href attribute, or the element's text."""
        attrs = element_attrs(element)
        attrs.setdefault("rel", "alternate")
        attrs.setdefault("type", "application/atom+xml" if attrs["rel"] == "self" else "text/html")
        attrs = enforce_href(attrs)
        if "href" in attrs:
            attrs["href"] = feedparser_joined(self.base, attrs["href"])
        links = context.setdefault("links", [])
        links.append(attrs)
        if "href" in attrs:
            if attrs["rel"] == "alternate" and attrs["type"] in _HTML_TYPES:
                context["link"] = attrs["href"]
            self.leaf(element)
            return
        output = leaf_text(element)
        output = feedparser_fixed(feedparser_joined(self.base, output) if output else output)
        if entry:
            output = output.replace("&amp;", "&")
        output = _ENTITY_IN_LINK.sub(r"&\g<1>", output)
        context["link"] = output
        if output or not entry:
            links[-1]["href"] = output

    def summary(self, context: dict, element: etree._Element, key: str, *, entry: bool) -> None:
        """description / itunes:summary: summary, or content when a summary came first."""
        if "summary" in context and not self.has_content:
            self.content(context, element, "text/plain", entry=entry)
            return
        if key == "description":
            value, _kind = self.content_text(element, "text/html")
            context["summary" if entry else "subtitle"] = value
        else:
            context["summary"] = self.content_text(element, "text/plain")[0]

    def content(self, context: dict, element: etree._Element, kind: str, *, entry: bool) -> None:
        """A content element (content:encoded, or a second summary); a summary if none yet."""
        self.has_content = True
        value, kind = self.content_text(element, kind)
        if entry:
            context.setdefault("content", []).append({"type": kind, "value": value})
        else:
            context["content"] = value
        context.setdefault("summary", value)

    def other(
        self, element: etree._Element, key: str, context: dict, harmless: frozenset[str]
    ) -> None:
        """An element with no effect on the fields we read; Declined if it might have one."""
        if key in harmless:
            nested = (self.key(child) for child in element.iterdescendants())
            if not len(element) or (key == "itunes_category" and set(nested) == {key}):
                return
            raise Declined(f"markup inside {key}")
        self.unknown(element, key, context)

    def unknown(self, element: etree._Element, key: str, context: dict) -> None:
        """feedparser stores an element it has no handler for under its own name."""
        if key in _handled_names() or key in READ_KEYS:
            raise Declined(f"unhandled element {key}")
        for child in element.iterdescendants():
            inner = self.key(child)
            if inner in _handled_names() or inner in READ_KEYS or inner.startswith("podcast_t"):
                raise Declined(f"unhandled element {inner} inside {key}")
        if key in ("podcast_transcript", "podcast_chapters"):
            attrs = element_attrs(element)
            context[key] = attrs if attrs else self.text(element, "")

    def leaf(self, element: etree._Element) -> None:
        if len(element):
            raise Declined("markup inside a leaf")

    # --- items -----------------------------------------------------------------------------

    def item(self, element: etree._Element) -> None:
        if element.attrib:
            raise Declined("item attributes")
        entry: dict[str, Any] = {}
        self.entries.append(entry)
        self.title_depth = -1
        for child in element:
            key = self.key(child)
            if key == "title":
                self.title(entry, child, 4)
            elif key == "link":
                self.link(entry, child, entry=True)
            elif key in ("description", "itunes_summary"):
                self.summary(entry, child, key, entry=True)
            elif key == "content_encoded":
                self.content(entry, child, "text/html", entry=True)
            elif key in ("guid", "id"):
                self.guid(entry, child)
            elif key == "pubdate":
                entry["published_parsed"] = _parse_date(self.text(child, ""))
            elif key == "enclosure":
                self.leaf(child)
                attrs = enforce_href(element_attrs(child))
                attrs["rel"] = "enclosure"
                entry.setdefault("links", []).append(attrs)
            elif key == "media_content":
                self.leaf(child)
                entry.setdefault("media_content", []).append(element_attrs(child))
            elif key == "itunes_duration":
                if element_attrs(child):
                    raise Declined("attributes on itunes:duration")
                entry[key] = self.text(child, "")
            elif key == "itunes_owner":
                raise Declined("itunes:owner in an item")
            else:
                self.other(child, key, entry, HARMLESS_ITEM)
        self.has_content = False

    def guid(self, entry: dict, element: etree._Element) -> None:
        """``_start_guid``/``_end_guid``: the id, and whether it is the item's permalink."""
        attrs = element_attrs(element)
        if set(attrs) - {"ispermalink"}:
            raise Declined("guid attributes")
        is_link = attrs.get("ispermalink", "true") == "true"
        output = leaf_text(element)
        if output and is_link:
            output = feedparser_joined(self.base, output)
        output = feedparser_fixed(output)
        entry["id"] = output
        entry.setdefault("guidislink", is_link and "link" not in entry)
        if is_link:
            entry.setdefault("link", output)
