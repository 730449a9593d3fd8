"""A feed's categories (``itunes:category``, nested ones too, and ``podcast:category``)."""

from __future__ import annotations

import re

import feedparser

PODCAST_CATEGORY_RE = re.compile(r"<podcast:category[^>]*>([^<]+)</podcast:category>", re.I)


def feed_categories(feed: bytes) -> list[str]:
    """Every category a feed files itself under, in order, each once."""
    parsed = feedparser.parse(feed)
    found = [str(tag.get("term", "")).strip() for tag in parsed.feed.get("tags", [])]
    text = feed.decode("utf-8", errors="replace")
    found += [m.strip() for m in PODCAST_CATEGORY_RE.findall(text)]
    return list(dict.fromkeys(c for c in found if c))
