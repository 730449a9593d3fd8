"""The lxml fast path gives feedparser's results exactly, or declines and leaves the feed to it."""

from __future__ import annotations

import re
from dataclasses import asdict

import pytest
from feedparser.sanitizer import _sanitize_html

from bot.core.errors import InvalidInput
from bot.feeds.fast_parse import Declined, fast_parse
from bot.feeds.fast_text import sanitized
from bot.feeds.parse import _assembled, parse_feed, parse_with_feedparser

URL = "https://example.com/f"
FEED = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
     xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel>
<title>Show &amp; Tell</title><link>https://example.com/</link>
<itunes:author>Ann</itunes:author><itunes:image href="/art.jpg"/>
<itunes:category text="Technology"><itunes:category text="AI"/></itunes:category>
<item><title>One</title><guid isPermaLink="false">g-1</guid>
<description><![CDATA[<p>Notes <b>bold</b></p>]]></description>
<pubDate>Tue, 01 Dec 2026 08:00:00 +0100</pubDate><itunes:duration>1:02:03</itunes:duration>
<enclosure url="/a/1.mp3" type="audio/mpeg" length="1"/>
<podcast:transcript url="t/1.vtt" type="text/vtt"/>
<podcast:person role="guest" href="https://example.com/p">Bo Chen</podcast:person></item>
</channel></rss>"""


def _both(data: bytes, url: str, content_type: str | None = None):
    """(fast result or None when it declines, feedparser result)."""
    slow = parse_with_feedparser(data, url=url, content_type=content_type)
    try:
        fast = fast_parse(data, url=url, content_type=content_type)
    except Declined:
        return None, slow
    return _assembled(fast.meta, fast.entries, fast.scanned, fast.text, url), slow


def test_a_plain_podcast_feed_takes_the_fast_path_with_feedparsers_values():
    fast, slow = _both(FEED, "https://feeds.example.com/show/rss")
    assert fast is not None
    assert asdict(fast) == asdict(slow)
    assert fast.items[0].persons[0]["name"] == "Bo Chen"
    assert parse_feed(FEED, url="https://feeds.example.com/show/rss") == slow


def test_a_fast_path_failure_falls_back_to_feedparser(monkeypatch, caplog):
    from bot.feeds import parse

    def broken(*args, **kwargs):
        raise KeyError("a reader bug")

    monkeypatch.setattr(parse, "fast_parse", broken)
    url = "https://feeds.example.com/show/rss"
    assert parse_feed(FEED, url=url) == parse_with_feedparser(FEED, url=url)
    assert "taking feedparser" in caplog.text


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (FEED.replace(b"UTF-8", b"ISO-8859-1"), None),  # not UTF-8
        (FEED, "text/xml"),  # RFC 3023: us-ascii
        (FEED.replace(b"<channel>", b'<!DOCTYPE rss [<!ENTITY a "b">]><channel>', 1), None),
        (FEED.replace(b"</item>", b"<item>", 1), None),  # not well-formed
        (FEED.replace(b"<rss", b"<rss xml:lang='en'"), None),  # feedparser reads the root's lang
    ],
)
def test_doubtful_feeds_are_declined_and_parse_as_before(body, content_type):
    with pytest.raises(Declined):
        fast_parse(body, url=URL, content_type=content_type)
    try:
        expected = parse_with_feedparser(
            body, url="https://example.com/f", content_type=content_type
        )
    except InvalidInput:
        return
    assert parse_feed(body, url=URL, content_type=content_type) == expected


@pytest.mark.parametrize(
    "html",
    [
        "plain words",
        "  padded\r\nlines  ",
        "<p>one</p><p>two</p>",
        "<ul><li>a</li><li>b</li></ul>",
        "<h2>Title</h2><blockquote><em>q</em></blockquote>",
        "<b><i>nested</i></b> tail",
        "<p>unclosed",
        "</p>stray end",
    ],
)
def test_the_sanitiser_shortcut_equals_feedparsers_sanitiser(html):
    assert sanitized(html, "text/html") == _sanitize_html(html, "utf-8", "text/html")


def _corpus_files(corpus):
    return [
        p
        for folder in ("feeds", "illformed")
        for p in sorted((corpus / folder).rglob("*"))
        if p.is_file() and p.suffix not in (".json", ".md")
    ]


def test_every_corpus_feed_is_declined_or_parsed_exactly_as_feedparser_does(corpus, capsys):
    took, declined, compared = [], 0, 0
    for path in _corpus_files(corpus):
        data = path.read_bytes()
        header = re.search(rb"Header:\s*Content-type:\s*([^\r\n]+)", data[:2000])
        content_type = header.group(1).decode().strip() if header else None
        url = f"https://example.com/{path.name}"
        try:
            fast, slow = _both(data, url, content_type)
        except InvalidInput:
            continue  # refused by the feedparser path: nothing to compare
        compared += 1
        if fast is None:
            declined += 1
            continue
        assert asdict(fast) == asdict(slow), path
        took.append(path.name)
    with capsys.disabled():
        print(f"\nfast path took {len(took)} of {compared} corpus feeds, {declined} declined")
    # a fast path that declines everything is a defect: real podcast feeds must take it
    assert len(took) >= 150
    assert {"themnshow.xml", "1865.xml", "changing-the-tide.xml", "dk-podcast.xml"} <= set(took)


def test_podcastparser_goldens_take_the_fast_path(corpus):
    folder = corpus / "feeds/podcastparser"
    taken = 0
    for path in sorted(folder.glob("*.rss")):
        try:
            fast_parse(path.read_bytes(), url=f"file://tests/data/{path.name}", content_type=None)
            taken += 1
        except Declined:
            pass
    assert taken >= 20
