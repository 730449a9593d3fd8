"""How fast feeds poll and parse, beside a plain sequential ``feedparser.parse`` loop.

Run: ``.venv/bin/python -m bench.feeds [--feeds 500] [--items 2000]``. Prints figures; asserts
nothing. The feeds are served from a child process on 127.0.0.1 (so the server does not share
our GIL); half of them answer the second poll with 304 (ETag), half send the body again.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import tempfile
import time
from pathlib import Path

import feedparser
from sqlmodel import Session

from bot.core import db
from bot.core.config import Settings
from bot.core.services import Services
from bot.feeds.fetching import SafeFetcher
from bot.feeds.parse import parse_feed, parse_with_feedparser
from bot.feeds.polling import poll_feeds
from bot.feeds.store import add_feed


def make_feed(n_items: int, seed: int = 0, chapters: str = "https://example.com/c.json") -> bytes:
    """An RSS feed with iTunes and Podcasting 2.0 tags, ~1 KB per item."""
    items = []
    for i in range(n_items):
        items.append(
            f"<item><title>Episode {i} of show {seed}</title><guid>show{seed}-ep{i}</guid>"
            f"<pubDate>Tue, 01 Dec 2026 {i % 24:02d}:00:00 GMT</pubDate>"
            f"<link>https://example.com/{seed}/{i}</link>"
            f"<description><![CDATA[<p>{'Talk about open models and tooling. ' * 12}</p>]]>"
            f"</description><itunes:duration>{30 + i % 60}:00</itunes:duration>"
            f'<enclosure url="https://cdn.example.com/{seed}/{i}.mp3" type="audio/mpeg" '
            f'length="1000"/><podcast:transcript url="https://example.com/{seed}/{i}.vtt" '
            f'type="text/vtt"/><podcast:chapters url="{chapters}" '
            f'type="application/json+chapters"/>'
            f'<podcast:person role="guest" href="https://example.com/p">Guest {i}</podcast:person>'
            "</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
        'xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel>'
        f"<title>Show {seed}</title><link>https://example.com/{seed}</link>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def _serve(n_feeds: int, items: int, ready: multiprocessing.Queue, stop) -> None:
    from tests.fakes.feeds_server import FeedServer, Route

    server = FeedServer()
    chapters = server.url("/chapters.json")  # queued episodes fetch these during the poll
    server.routes["/chapters.json"] = Route(
        b'{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro"}]}',
        content_type="application/json+chapters",
    )
    for i in range(n_feeds):
        etag = f'"e{i}"' if i % 2 == 0 else None  # even feeds answer 304 once polled
        server.routes[f"/feed/{i}"] = Route(make_feed(items, i, chapters), etag=etag)
    server.start()
    ready.put(server.host)
    stop.wait(600)


def _settings(tmp: Path, concurrency: int) -> Settings:
    return Settings(
        _env_file=None,
        database_url=f"sqlite:///{tmp / 'bench.db'}",
        poll_concurrency=concurrency,
        per_host_concurrency=concurrency,  # every bench feed shares one host
    )


async def _poll(services: Services, host: str) -> tuple[float, int]:
    async with SafeFetcher(services.settings, allow_hosts={host}) as fetcher:
        began = time.perf_counter()
        report = await poll_feeds(services, fetcher=fetcher, only_due=False)
        return time.perf_counter() - began, sum(1 for o in report.outcomes if o.status != "failed")


def _plain_loop(host: str, n_feeds: int) -> float:
    """Seconds for the anchor: a sequential ``feedparser.parse(url)`` loop, storing nothing."""
    began = time.perf_counter()
    for i in range(n_feeds):
        feedparser.parse(f"http://{host}/feed/{i}")
    return time.perf_counter() - began


def bench_poll(n_feeds: int, items: int, concurrency: int, repeat: int = 3) -> None:
    """Poll n_feeds cold (all 200), then ``repeat`` times more (half 304, half the same bytes),
    beside the sequential feedparser loop run before and after (the faster anchor is kept, so
    noise can only lower our ratio)."""
    ctx = multiprocessing.get_context("fork")
    channel: multiprocessing.Queue = ctx.Queue()
    stop = ctx.Event()
    child = ctx.Process(target=_serve, args=(n_feeds, items, channel, stop), daemon=True)
    child.start()
    host = channel.get(timeout=60)
    try:
        plain = _plain_loop(host, n_feeds)
        with tempfile.TemporaryDirectory() as tmp:
            settings = _settings(Path(tmp), concurrency)
            engine = db.create_db_engine(settings.database_url)
            db.upgrade(engine)
            with Session(engine) as session:
                for i in range(n_feeds):
                    add_feed(
                        session, f"http://{host}/feed/{i}", settings=settings, allow_private=True
                    )
                session.commit()
            services = Services(settings=settings, engine=engine)
            cold, ok1 = asyncio.run(_poll(services, host))
            mixed, ok2 = min(asyncio.run(_poll(services, host)) for _ in range(repeat))
            engine.dispose()
        plain = min(plain, _plain_loop(host, n_feeds))
    finally:
        stop.set()
        child.join(timeout=5)
        if child.is_alive():
            child.terminate()
    anchor = n_feeds / plain
    print(f"poll {n_feeds} feeds x {items} items, concurrency {concurrency}, SQLite:")
    label = "anchor: sequential feedparser.parse(url), no storage, best of 2"
    print(f"  {label} {anchor:8.1f} feeds/s")
    for label, took, ok in (
        ("first poll (all 200, store)                ", cold, ok1),
        (f"next polls (half 304, half 200), best of {repeat}", mixed, ok2),
    ):
        rate = n_feeds / took
        print(f"  {label} {rate:8.1f} feeds/s  {rate / anchor:5.1f}x feedparser  ({ok} ok)")


def bench_parse(items: int, repeat: int) -> None:
    """MB/s of parse_feed on one big feed, beside feedparser.parse of the same bytes."""
    data = make_feed(items)
    mb = len(data) / 1e6
    ours, plain = float("inf"), float("inf")
    for _ in range(repeat):  # interleaved, so a noisy spell hits both sides
        ours = min(ours, _timed(lambda: parse_feed(data, url="https://example.com/f")))
        plain = min(plain, _timed(lambda: feedparser.parse(data)))
    slow = min(
        _timed(lambda: parse_with_feedparser(data, url="https://example.com/f"))
        for _ in range(repeat)
    )
    print(f"parse one {items}-item feed ({mb:.2f} MB), best of {repeat}:")
    print(f"  anchor: feedparser.parse alone      {mb / plain:6.2f} MB/s  {plain:.2f} s")
    print(
        f"  parse_feed (lxml fast path)         {mb / ours:6.2f} MB/s  {ours:.2f} s"
        f"  {plain / ours:4.1f}x feedparser"
    )
    print(
        f"  parse_feed's feedparser fallback    {mb / slow:6.2f} MB/s  {slow:.2f} s"
        f"  {plain / slow:4.1f}x feedparser"
    )


def _timed(func) -> float:
    began = time.perf_counter()
    func()
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--feed-items", type=int, default=20)
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    bench_parse(args.items, args.repeat)
    bench_poll(args.feeds, args.feed_items, args.concurrency, args.repeat)


if __name__ == "__main__":
    main()
