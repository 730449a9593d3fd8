"""Parse fetched feed bytes (RSS 2.0, Atom, iTunes, Podcasting 2.0) into plain dataclasses.

feedparser does the heavy lifting (encodings, dates, broken markup, relative links, HTML
sanitising); ``bot.feeds.podcast_namespace`` adds the multi-valued ``podcast:*`` tags
feedparser flattens. Well-formed RSS 2.0 in UTF-8 takes ``bot.feeds.fast_parse`` instead, which
rebuilds the same values from an lxml tree several times faster, and hands back to feedparser
any feed it cannot read exactly.
feedparser only ever sees bytes wrapped in a stream: given a string it would open URLs and
local files.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser

from bot.core.errors import InvalidInput
from bot.core.urlsafety import shown
from bot.feeds.fast_parse import Declined, fast_parse
from bot.feeds.podcast_namespace import ScannedItem, scan_podcast_tags
from bot.feeds.url_join import joined

log = logging.getLogger(__name__)

_FIRST_ELEMENT = re.compile(rb"<\w")


@dataclass
class ParsedItem:
    """One episode as the feed describes it."""

    guid: str | None
    title: str
    identity: str = ""  # "guid:…" | "enclosure:…" | "title:…|date" | "link:…"
    description: str = ""
    link: str = ""
    audio_url: str = ""
    audio_type: str = ""
    duration_s: float | None = None
    published_at: datetime | None = None
    transcripts: list[dict] = field(default_factory=list)  # [{"url","type","language","rel"}]
    chapters_url: str | None = None
    persons: list[dict] = field(default_factory=list)  # [{"name","role","href","img"}]


@dataclass
class ParsedFeed:
    """A podcast and its items, in feed order."""

    title: str
    author: str = ""
    description: str = ""
    link: str = ""
    image_url: str = ""
    language: str = ""
    new_feed_url: str | None = None
    categories: list[str] = field(
        default_factory=list
    )  # itunes:category (nested too), podcast:category
    items: list[ParsedItem] = field(default_factory=list)


PODCAST_CATEGORY_RE = re.compile(r"<podcast:category[^>]*>([^<]+)</podcast:category>", re.I)


def parse_feed(data: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse feed bytes fetched from ``url``; InvalidInput with a one-line reason if not a feed."""
    if not data or not data.strip():
        raise InvalidInput(f"{shown(url)}: empty document, not a feed")
    try:
        fast = fast_parse(data, url=url, content_type=content_type)
    except Declined as exc:
        log.debug("%s takes feedparser: %s", shown(url), exc)
        return parse_with_feedparser(data, url=url, content_type=content_type)
    except Exception:  # a fast-path bug must never cost a feed feedparser can read
        log.warning("%s: fast parse failed, taking feedparser", shown(url), exc_info=True)
        return parse_with_feedparser(data, url=url, content_type=content_type)
    return _assembled(fast.meta, fast.entries, fast.scanned, fast.text, url)


def parse_with_feedparser(data: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """The feedparser path of ``parse_feed`` (every feed the fast path declines)."""
    if not data or not data.strip():
        raise InvalidInput(f"{shown(url)}: empty document, not a feed")
    data = _entities_on_own_lines(data)
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    try:
        # relative links in show-note HTML stay as written: resolving them costs a third of
        # the parse time, and the fields we use (links, enclosures) are resolved below
        parsed = feedparser.parse(
            io.BytesIO(data), response_headers=headers, resolve_relative_uris=False
        )
    except Exception as exc:  # feedparser is lenient; anything escaping it is bad input
        raise InvalidInput(f"{shown(url)}: cannot parse feed ({_one_line(exc)})") from None
    if not parsed.get("version") and not parsed.entries:
        raise InvalidInput(f"{shown(url)}: not an RSS or Atom feed{_bozo_reason(parsed)}")
    text = _decoded(data, parsed.get("encoding"))
    return _assembled(parsed.feed, parsed.entries, scan_podcast_tags(text), text, url)


def _assembled(
    meta: Any, entries: list[Any], scanned: list[ScannedItem], text: str, url: str
) -> ParsedFeed:
    """The ParsedFeed from feedparser-shaped values, whichever path produced them."""
    feed = _feed_fields(meta, url)
    feed.categories = _categories(meta, text)
    feed.items = _items(entries, scanned, url)
    return feed


def _categories(meta: Any, text: str) -> list[str]:
    """The channel's categories, in order, each once (feedparser reads itunes:category and
    RSS category as tags; podcast:category it leaves out)."""
    found = [_clean(tag.get("term")) for tag in meta.get("tags") or []]
    channel = text.split("<item", 1)[0]  # the channel's own tags, not an episode's
    found += [_clean(m) for m in PODCAST_CATEGORY_RE.findall(channel)]
    return list(dict.fromkeys(c for c in found if c))


def _feed_fields(meta: Any, url: str) -> ParsedFeed:
    image = meta.get("image") or {}
    return ParsedFeed(
        title=_clean(meta.get("title")),
        author=_clean(meta.get("author") or meta.get("itunes_author")),
        description=_clean(meta.get("summary") or meta.get("subtitle")),
        link=_absolute(meta.get("link"), url),
        image_url=_absolute(image.get("href") or image.get("url"), url),
        language=_clean(meta.get("language")),
        new_feed_url=_absolute(meta.get("itunes_new-feed-url"), url) or None,
    )


def _items(entries: list[Any], scanned: list[ScannedItem], url: str) -> list[ParsedItem]:
    """Parsed items, one per distinct identity (a feed repeating an item keeps the first)."""
    aligned = len(scanned) == len(entries) and all(map(_same_item, scanned, entries))
    by_key = {} if aligned else _scanned_by_key(scanned, url)
    items: list[ParsedItem] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        item = _item(entry, url)
        extra = scanned[index] if aligned else _match(item, by_key)
        if extra is not None:
            _merge_scanned(item, extra, url)
        identity = _identity(item)
        if identity is None:
            log.info("skipping an item of %s with no guid, enclosure, title or link", shown(url))
            continue
        item.identity = identity
        if identity not in seen:
            seen.add(item.identity)
            items.append(item)
    return items


def _scanned_by_key(scanned: list[ScannedItem], url: str) -> dict[str, ScannedItem]:
    """Scanned items by guid and enclosure, to match items when the two lists do not align."""
    return {
        key: s for s in scanned for key in (s.guid, s.enclosure, _absolute(s.enclosure, url)) if key
    }


def _same_item(scanned: ScannedItem, entry: Any) -> bool:
    """Whether the scan and feedparser agree on an item's guid (feedparser may resolve it)."""
    guid = _clean(entry.get("id"))
    return not scanned.guid or not guid or guid.endswith(scanned.guid)


def _match(item: ParsedItem, by_key: dict[str, ScannedItem]) -> ScannedItem | None:
    """The scanned item with this item's guid or enclosure, when the two lists do not align."""
    return by_key.get(item.guid or "\0") or by_key.get(item.audio_url or "\0")


def _item(entry: Any, url: str) -> ParsedItem:
    audio_url, audio_type = _enclosure(entry, url)
    item = ParsedItem(
        guid=_clean(entry.get("id")) or None,
        title=_clean(entry.get("title")),
        description=_description(entry),
        link=_page_link(entry, url, audio_url),
        audio_url=audio_url,
        audio_type=audio_type,
        duration_s=parse_duration(entry.get("itunes_duration")),
        published_at=_published(entry),
    )
    _fallback_podcast_tags(item, entry, url)
    return item


def _identity(item: ParsedItem) -> str | None:
    """Stable identity: guid, else enclosure URL, else title+date, else page link."""
    if item.guid:
        return f"guid:{item.guid}"
    if item.audio_url:
        return f"enclosure:{item.audio_url}"
    if item.title:
        published = item.published_at.isoformat() if item.published_at else ""
        return f"title:{item.title}|{published}"
    if item.link:
        return f"link:{item.link}"
    return None


def _enclosure(entry: Any, url: str) -> tuple[str, str]:
    """The audio enclosure (first audio/*, else the first enclosure, else media:content)."""
    enclosures = [link for link in entry.get("links", []) if link.get("rel") == "enclosure"]
    enclosures += [
        {"href": m.get("url"), "type": m.get("type", "")} for m in entry.get("media_content", [])
    ]
    enclosures = [e for e in enclosures if _clean(e.get("href"))]
    if not enclosures:
        return "", ""
    audio = [e for e in enclosures if str(e.get("type", "")).startswith("audio/")]
    chosen = (audio or enclosures)[0]
    return _absolute(chosen.get("href"), url), _clean(chosen.get("type"))


def _page_link(entry: Any, url: str, audio_url: str) -> str:
    """The episode's web page: its alternate link (or permalink guid), never the audio file."""
    candidates = [
        link["href"]
        for link in entry.get("links", [])
        if link.get("rel", "alternate") == "alternate" and link.get("href")
    ]
    if entry.get("guidislink") and entry.get("id"):
        candidates.append(entry["id"])
    for candidate in candidates:
        href = _absolute(candidate, url)
        if href != audio_url and href.startswith(("http://", "https://")):
            return href
    return ""


def _description(entry: Any) -> str:
    if entry.get("content"):
        longest = max(entry["content"], key=lambda c: len(c.get("value", "")))
        if len(longest.get("value", "")) > len(entry.get("summary", "")):
            return longest["value"].strip()
    return _clean(entry.get("summary"))


def _published(entry: Any) -> datetime | None:
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    if not stamp:
        return None
    try:
        return datetime(*stamp[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _merge_scanned(item: ParsedItem, scanned: ScannedItem, url: str) -> None:
    """Prefer the scan's complete lists over feedparser's last-tag-wins values.

    The scan's guid is the text as written: feedparser resolves a relative guid against the
    feed URL, which would change an episode's identity whenever the feed moves.
    """
    if scanned.guid:
        item.guid = scanned.guid
    if scanned.transcripts:
        item.transcripts = [{**t, "url": _absolute(t["url"], url)} for t in scanned.transcripts]
    if scanned.chapters_url:
        item.chapters_url = _absolute(scanned.chapters_url, url)
    if scanned.persons:
        item.persons = [
            {
                **p,
                "href": _absolute(p["href"], url) or None,
                "img": _absolute(p["img"], url) or None,
            }
            for p in scanned.persons
        ]


def _fallback_podcast_tags(item: ParsedItem, entry: Any, url: str) -> None:
    """What feedparser kept of podcast:* tags, used when the scan cannot be aligned."""
    transcript = entry.get("podcast_transcript")
    if isinstance(transcript, dict) and transcript.get("url"):
        item.transcripts = [
            {
                "url": _absolute(transcript["url"], url),
                "type": _clean(transcript.get("type")).lower(),
                "language": transcript.get("language") or None,
                "rel": transcript.get("rel") or None,
            }
        ]
    chapters = entry.get("podcast_chapters")
    if isinstance(chapters, dict) and chapters.get("url"):
        item.chapters_url = _absolute(chapters["url"], url)


def parse_duration(value: Any) -> float | None:
    """Seconds from an itunes:duration ("3600", "61:30", "1:01:30", "95.5"); None if unreadable."""
    text = _clean(value)
    if not text:
        return None
    try:
        seconds = 0.0
        for part in text.split(":"):
            seconds = seconds * 60 + float(part)
    except ValueError:
        return None
    return seconds if 0 <= seconds < 1e7 else None


def _entities_on_own_lines(data: bytes) -> bytes:
    """Start each prolog ``<!ENTITY`` on its own line.

    feedparser drops entity declarations that reference other entities (the "billion laughs"
    shape), but only those starting a line; a one-line DTD would slip past it to expat.
    """
    first_element = _FIRST_ELEMENT.search(data)
    end = first_element.start() if first_element else len(data)
    head = data[:end]
    if b"<!ENTITY" not in head:
        return data
    return head.replace(b"<!ENTITY", b"\n<!ENTITY") + data[end:]


def _decoded(data: bytes, encoding: str | None) -> str:
    try:
        return data.decode(encoding or "utf-8", errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def _absolute(href: Any, base: str) -> str:
    text = _clean(href)
    return joined(base, text) if text else ""


def _clean(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _bozo_reason(parsed: Any) -> str:
    exc = parsed.get("bozo_exception")
    return f" ({_one_line(exc)})" if exc else ""


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
