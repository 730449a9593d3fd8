"""The channel's author, image and category elements, as feedparser's handlers read them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from feedparser.mixin import _FeedParserMixin
from lxml import etree

from bot.feeds.fast_text import (
    Declined,
    add_tag,
    element_attrs,
    feedparser_fixed,
    leaf_text,
)
from bot.feeds.url_join import feedparser_joined


class ChannelTags(ABC):
    """Part of ``bot.feeds.fast_reader.Reader``: authors, itunes:owner, images and categories.

    The element hooks below are the reader's own (its key, text, title and leaf handling);
    this half only calls them.
    """

    base: str
    feed: dict[str, Any]
    title_depth: int

    @abstractmethod
    def key(self, element: etree._Element) -> str:
        """feedparser's key for an element ("itunes_author")."""

    @abstractmethod
    def text(self, element: etree._Element, kind: str) -> str:
        """An element's text as feedparser stores it."""

    @abstractmethod
    def title(self, context: dict, element: etree._Element, depth: int) -> None:
        """Record a title element."""

    @abstractmethod
    def leaf(self, element: etree._Element) -> None:
        """Record an element with no children."""

    def author(self, context: dict, element: etree._Element) -> None:
        """``_start_author``/``_end_author``: the text, then feedparser's author sync."""
        if element_attrs(element):
            raise Declined("attributes on an author")
        context.setdefault("authors", []).append({})
        context["author"] = self.text(element, "")
        self.sync_author(context)

    def sync_author(self, context: dict) -> None:
        """feedparser's own ``_sync_author_detail`` (name/email detail ↔ the author string)."""
        _FeedParserMixin._sync_author_detail(_Context(context))

    def owner(self, context: dict, element: etree._Element) -> None:
        """itunes:owner: its name and email become the author detail (a feedparser quirk)."""
        for child in element:
            key = self.key(child)
            if key not in ("itunes_name", "itunes_email") or len(child):
                raise Declined("unusual itunes:owner")
            value = leaf_text(child)
            self.sync_author(context)
            context.setdefault("authors", [{}])[-1][key[len("itunes_") :]] = value

    def itunes_image(self, context: dict, element: etree._Element) -> None:
        attrs = element_attrs(element)
        self.leaf(element)
        if attrs.get("href"):
            context["image"] = {"href": attrs["href"]}
        elif attrs.get("url"):
            context["image"] = {"href": attrs["url"]}

    def image(self, element: etree._Element) -> None:
        """The RSS ``<image>``: its url child becomes the image's href."""
        image = self.feed.setdefault("image", {})
        self.title_depth = -1
        for child in element:
            key = self.key(child)
            if len(child) or key not in ("title", "url", "link", "width", "height", "description"):
                raise Declined("unusual image")
            if key == "url":
                href = leaf_text(child)
                image["href"] = feedparser_fixed(
                    feedparser_joined(self.base, href) if href else href
                )
            elif key == "title":
                self.title(image, child, 4)

    def category(self, context: dict, element: etree._Element, key: str) -> None:
        """RSS category, itunes:category (nested) and itunes:keywords as feedparser's tags."""
        tags = context.setdefault("tags", [])
        attrs = element_attrs(element)
        if key == "itunes_keywords":
            self.leaf(element)
            for term in self.text(element, "").split(","):
                if term.strip():
                    add_tag(tags, term.strip(), "http://www.itunes.com/", None)
            return
        if key == "itunes_category":
            add_tag(tags, attrs.get("text"), "http://www.itunes.com/", None)
            for child in element:
                if self.key(child) != "itunes_category":
                    raise Declined("unusual itunes:category")
                self.category(context, child, "itunes_category")
            value = feedparser_fixed((element.text or "").strip()) if len(element) == 0 else ""
            if any((c.tail or "").strip() for c in element) or (
                len(element) and (element.text or "").strip()
            ):
                raise Declined("text inside nested categories")
        else:
            self.leaf(element)
            add_tag(tags, attrs.get("term"), attrs.get("scheme", attrs.get("domain")), None)
            value = self.text(element, "")
        if not value:
            return
        if tags and not tags[-1]["term"]:
            tags[-1]["term"] = value
        else:
            add_tag(tags, value, None, None)


class _Context:
    """Just enough of feedparser's parser for its author-sync method to run on our dict."""

    def __init__(self, context: dict) -> None:
        self.context = context

    def _get_context(self) -> dict:
        return self.context
