"""Feed parsing: golden podcastparser results, Podcasting 2.0 tags, and ill-formed input."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urljoin

import pytest

from bot.core.errors import InvalidInput
from bot.feeds.parse import ParsedFeed, parse_duration, parse_feed

PODCASTPARSER = "feeds/podcastparser"
# podcastparser behaviour we deliberately do not share, with the reason.
DIVERGES = {
    "max_episodes.rss": "podcastparser test passes a max_episodes parameter",
    "no_enclosure.rss": "podcastparser drops items without audio; we keep them",
    "no_title_multi_enclosure.rss": "podcastparser drops items without audio; we keep them",
}


def _parse_corpus(path: Path) -> ParsedFeed:
    # podcastparser's harness parses with this base URL; relative links resolve the same way
    return parse_feed(path.read_bytes(), url=f"file://tests/data/{path.name}")


def _podcastparser_pairs() -> list[str]:
    from tests.conftest import CORPUS

    folder = CORPUS / PODCASTPARSER
    names = sorted(p.name for p in folder.glob("*.rss") if p.with_suffix(".json").exists())
    return names or ["<corpus absent>"]


def _match(expected: dict, feed: ParsedFeed, base: str):
    enclosures = [e["url"] for e in expected.get("enclosures", [])]
    for item in feed.items:
        # podcastparser resolves a relative guid against the feed URL; we keep it as written
        if item.guid and expected.get("guid") in (item.guid, urljoin(base, item.guid)):
            return item
        if item.audio_url and item.audio_url in enclosures:
            return item
    return None


@pytest.mark.parametrize("name", _podcastparser_pairs())
def test_podcastparser_golden(corpus, name):
    rss = corpus / PODCASTPARSER / name
    expected = json.loads(rss.with_suffix(".json").read_text())
    feed = _parse_corpus(rss)
    if feed.title or expected["title"] != rss.stem:  # podcastparser falls back to the file name
        assert feed.title == expected["title"]
    episodes = expected.get("episodes", [])
    if name in DIVERGES:
        assert len(feed.items) >= len(episodes), DIVERGES[name]
        return
    assert len(feed.items) == len(episodes)
    for exp in episodes:
        item = _match(exp, feed, f"file://tests/data/{name}")
        assert item is not None, f"no item for {exp['title']!r}"
        if item.title:  # podcastparser invents a title from the audio file name
            assert item.title == exp["title"]
        audio = [e["url"] for e in exp["enclosures"] if e["mime_type"].startswith("audio/")]
        assert item.audio_url == (audio or [e["url"] for e in exp["enclosures"]] or [""])[0]
        assert item.duration_s == (exp.get("total_time") or None)
        if exp.get("link", "").startswith("http") and exp["link"] != item.audio_url:
            assert item.link == exp["link"]
        if exp.get("published"):
            assert int(item.published_at.timestamp()) == exp["published"]
        if "transcript_url" in exp:
            assert [t["url"] for t in item.transcripts] == [exp["transcript_url"]]
        assert item.chapters_url == exp.get("chapters_json_url")
        if "persons" in exp:
            fields = ("name", "role", "href", "img")
            assert [tuple(p[f] for f in fields) for p in item.persons] == [
                tuple(p[f] for f in fields) for p in exp["persons"]
            ]


def test_every_corpus_feed_parses_or_is_refused_in_one_line(corpus):
    paths = [
        p
        for folder in ("feeds", "illformed")
        for p in sorted((corpus / folder).rglob("*"))
        if p.is_file() and p.suffix not in (".json", ".md")
    ]
    assert len(paths) > 300
    refused = {}
    for path in paths:
        data = path.read_bytes()
        # feedparser's harness sends a "Header: Content-type: …" comment as the HTTP header
        header = re.search(rb"Header:\s*Content-type:\s*([^\r\n]+)", data[:2000])
        content_type = header.group(1).decode().strip() if header else None
        try:
            parse_feed(data, url=f"https://example.com/{path.name}", content_type=content_type)
        except InvalidInput as exc:
            refused[path.name] = str(exc)
    assert all("\n" not in reason and reason for reason in refused.values())
    assert {"not-xml.rss", "podcast-example.xml", "rss_empty_document.xml"} == set(refused)


def test_every_transcript_tag_is_kept(corpus):
    feed = _parse_corpus(corpus / "feeds/partytime/real-world/themnshow.xml")
    transcripts = [t for item in feed.items for t in item.transcripts]
    assert len(transcripts) == 56
    assert {t["type"] for t in transcripts} == {"application/x-subrip", "text/vtt"}
    assert {t["rel"] for t in transcripts} == {"captions"}
    assert sum(1 for item in feed.items if item.chapters_url) == 54

    two = _parse_corpus(corpus / "feeds/antennapod/feed-rss-testPodcastIndexTranscript.xml")
    assert [t["type"] for t in two.items[0].transcripts] == ["application/json", "application/srt"]


def test_namespace_example_has_persons_transcripts_and_chapters(corpus):
    feed = _parse_corpus(corpus / "feeds/podcast-namespace/example.xml")
    newest = next(i for i in feed.items if i.guid == "https://example.com/ep0003")
    assert newest.chapters_url == "https://example.com/ep3_chapters.json"
    assert {"url", "type", "language", "rel"} <= set(newest.transcripts[0])
    assert [t["language"] for t in newest.transcripts] == [None, "es"]
    assert {p["name"] for p in newest.persons} >= {"Becky Smith"}
    assert newest.published_at is not None and newest.published_at.tzinfo is not None
    assert newest.link == "https://example.com/podcast/ep0003"


def test_undeclared_podcast_prefix_is_read(corpus):
    feed = _parse_corpus(corpus / PODCASTPARSER / "episode_podcast_person.rss")
    assert [p["name"] for p in feed.items[0].persons] == ["John Doe", "Stephanie Smith"]


ITEMS = b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
     xmlns:pc="https://podcastindex.org/namespace/1.0"><channel><title>Own</title>
<item><guid isPermaLink="false">g-1</guid><title>With guid</title>
  <enclosure url="/a/1.mp3" type="audio/mpeg" length="1"/><itunes:duration>1:02:03</itunes:duration>
  <pc:transcript url="t/1.vtt" type="text/vtt"/>
  <pc:transcript url="t/1.json" type="application/json"/>
</item>
<item><title>Only audio</title><enclosure url="https://cdn.example.com/2.mp3" type="audio/mpeg"/>
</item>
<item><title>Only title</title><pubDate>Tue, 01 Dec 2026 08:00:00 +0100</pubDate></item>
<item><guid isPermaLink="false">g-1</guid><title>Repeated guid</title></item>
</channel></rss>"""


def test_identity_falls_back_from_guid_to_enclosure_to_title_and_date():
    feed = parse_feed(ITEMS, url="https://feeds.example.com/show/rss")
    assert [i.identity for i in feed.items] == [
        "guid:g-1",
        "enclosure:https://cdn.example.com/2.mp3",
        "title:Only title|2026-12-01T07:00:00+00:00",
    ]
    first = feed.items[0]
    assert first.audio_url == "https://feeds.example.com/a/1.mp3"
    assert first.duration_s == 3723
    assert [t["url"] for t in first.transcripts] == [
        "https://feeds.example.com/show/t/1.vtt",
        "https://feeds.example.com/show/t/1.json",
    ]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("3600", 3600), ("61:30", 3690), ("01:00:00", 3600), ("95.5", 95.5), ("", None), ("x", None)],
)
def test_duration_forms(value, seconds):
    assert parse_duration(value) == seconds


@pytest.mark.parametrize(
    "body",
    [b"", b"   ", b"<html><body><p>Hello</p></body></html>", b'{"feed": []}', b"/etc/passwd"],
)
def test_non_feeds_are_refused_with_a_reason(body):
    with pytest.raises(InvalidInput, match=r"https://example\.com/x: .*feed"):
        parse_feed(body, url="https://example.com/x")


def test_external_entities_are_not_expanded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    body = f"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>
<rss version="2.0"><channel><title>T &x;</title><item><title>E &x;</title>
<guid>1</guid></item></channel></rss>""".encode()
    feed = parse_feed(body, url="https://example.com/x")
    assert "TOPSECRET" not in feed.title + feed.items[0].title


def test_entity_expansion_bomb_is_not_expanded():
    levels = "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a0 "lol">{levels}]>'
        '<rss version="2.0"><channel><title>&a6;</title>'
        "<item><guid>1</guid><title>x</title></item></channel></rss>"
    ).encode()
    feed = parse_feed(body, url="https://example.com/x")
    assert len(feed.title) < 1000 and len(feed.items) == 1
