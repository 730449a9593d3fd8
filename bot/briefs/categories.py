"""A feed's categories (``itunes:category``, nested ones too, and ``podcast:category``)."""

from __future__ import annotations

from bot.feeds.parse import parse_feed


def feed_categories(feed: bytes, url: str = "https://feed.invalid/") -> list[str]:
    """Every category a feed files itself under, in order, each once (as polling stores them)."""
    return parse_feed(feed, url=url).categories
