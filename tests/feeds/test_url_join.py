"""The urljoin shortcut returns exactly what urljoin (and feedparser's _urljoin) return."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest
from feedparser.urls import _urljoin

from bot.feeds.url_join import as_is, feedparser_joined, joined

BASES = [
    "https://example.com/show/rss",
    "http://example.com/",
    "https://example.com",
    "https://example.com/show/",
    "https://example.com//double/rss",
    "https://example.com/a/./b/../rss",
    "https://example.com/a/..",
    "https://example.com/show/rss?page=2#top",
    "file://tests/data/x.rss",
    "",
]
HREFS = [
    "https://cdn.example.com/a/1.mp3",
    "https://cdn.example.com/a/1.mp3?x=1&y=2#t=10",
    "http://example.com",
    "https://example.com:8443/p",
    "HTTPS://Example.com/Upper",
    "https://example.com/a;params",
    "https://example.com/a?",
    "https://example.com/a#",
    "https://example.com/a/../b",
    "https:///three-slashes",
    "https://example.com/with space",
    " https://example.com/lead",
    "//example.com/scheme-relative",
    "/absolute/path",
    "relative/path",
    "../up",
    "?q=1",
    "#frag",
    "mailto:someone@example.com",
    "https://[::1]/v6",
    "show0-ep0",
    "notes.html",
    "v1.2",
    ".",
    "..",
    ".hidden",
    "~user",
    "name with space",
]


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("href", HREFS)
def test_shortcut_equals_urljoin(base, href):
    assert joined(base, href) == urljoin(base, href)
    assert feedparser_joined(base, href) == _urljoin(base, href)


def test_every_corpus_url_joins_as_urljoin_does(corpus):
    pattern = re.compile(rb"""(?:url|href)=["']([^"'<>]{1,500})["']""")
    hrefs = {
        m.decode("utf-8", "replace")
        for path in (corpus / "feeds").rglob("*.*ml")
        for m in pattern.findall(path.read_bytes())
    }
    assert len(hrefs) > 1000
    shortcut = [h for h in hrefs if as_is(h)]
    assert len(shortcut) > len(hrefs) / 2  # the shortcut is the common case
    for href in hrefs:
        for base in BASES[:3]:
            assert joined(base, href) == urljoin(base, href), href
            assert feedparser_joined(base, href) == _urljoin(base, href), href
