"""Following a feed fetches it first: the show named, its newest queued, failures in words."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from bot.core.models import Episode, Podcast
from bot.core.services import Services
from bot.feeds.fetching import SafeFetcher
from bot.feeds.following import FeedCheckFailed, follow_feed, linked_feed
from bot.feeds.health import feed_health
from tests.fakes.feeds_server import FeedServer, Route
from tests.feeds.test_polling import SIX, rss

PAGE = b"""<!doctype html><html><head><title>Show</title>
<link rel="stylesheet" href="/s.css">
<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.xml">
</head><body>Listen now</body></html>"""


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as fake:
        yield fake


@pytest.fixture
def services(engine, settings) -> Services:
    return Services(settings=settings.model_copy(update={"read_timeout_s": 2.0}), engine=engine)


def follow(services: Services, server: FeedServer, path: str, **kwargs):
    """Follow through the real SafeFetcher; only the fake server's address is let through."""

    fetcher = SafeFetcher(services.settings, allow_hosts={server.host})
    return follow_feed(services, server.url(path), fetcher=fetcher, **kwargs)


def test_a_good_feed_is_followed_named_and_its_newest_queued(services, server, engine):
    server.routes["/feed.xml"] = Route(rss(SIX))
    followed = follow(services, server, "/feed.xml")
    assert (followed.name, followed.episodes, followed.queued) == ("Show", 6, 3)
    assert followed.newest_title == "Episode 6" and followed.newest_at.day == 6
    with Session(engine) as session:
        podcast = session.exec(select(Podcast)).one()
        pending = session.exec(select(Episode).where(Episode.status == "pending")).all()
        assert sorted(e.title for e in pending) == ["Episode 4", "Episode 5", "Episode 6"]
        assert feed_health(podcast, services.settings).state == "active"
    again = follow(services, server, "/feed.xml")
    assert again.already and again.podcast_id == followed.podcast_id and again.queued == 0


def test_a_podcast_page_follows_the_feed_it_links(services, server):
    server.routes["/show"] = Route(PAGE, content_type="text/html; charset=utf-8")
    server.routes["/feed.xml"] = Route(rss(SIX))
    followed = follow(services, server, "/show")
    assert followed.name == "Show" and followed.episodes == 6
    assert linked_feed(PAGE, base="https://x.org/show") == "https://x.org/feed.xml"


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        (Route(status=404), "there is no feed at that address (HTTP 404 Not Found)"),
        (Route(status=410), "the publisher has taken this feed down (HTTP 410 Gone)"),
        (
            Route(b"<html><body>hello</body></html>", content_type="text/html"),
            "that is a web page, not a podcast feed, and it links no RSS feed",
        ),
        (Route(b"x" * 5000), "the feed is larger than MAX_FEED_BYTES allows"),
    ],
)
def test_a_bad_url_follows_nothing_and_says_why(services, server, engine, route, reason):
    services.settings = services.settings.model_copy(update={"max_feed_bytes": 4000})
    server.routes["/f"] = route
    with pytest.raises(FeedCheckFailed) as failed:
        follow(services, server, "/f")
    assert failed.value.reason == reason
    with Session(engine) as session:
        assert session.exec(select(Podcast)).all() == []


def test_refused_and_unresolvable_addresses_are_said_plainly(services, engine, monkeypatch):
    async def no_such_host(*_args, **_kwargs):  # what the resolver says, without asking DNS
        raise OSError(-2, "Name or service not known")

    monkeypatch.setattr("bot.core.urlsafety.anyio.getaddrinfo", no_such_host)
    with pytest.raises(FeedCheckFailed) as refused:
        follow_feed(services, "http://127.0.0.1:9/feed.xml")  # ALLOW_PRIVATE_URLS is off
    assert refused.value.reason.startswith("podbrief only fetches feeds on public addresses")
    with pytest.raises(FeedCheckFailed) as unknown:
        follow_feed(services, "https://feeds.example-podcasts.invalid/show.rss")
    assert unknown.value.reason.startswith("can't find the host feeds.example-podcasts.invalid")
    with Session(engine) as session:
        assert session.exec(select(Podcast)).all() == []


def test_a_slow_server_times_out_in_words(services, server):
    services.settings = services.settings.model_copy(update={"read_timeout_s": 0.3})
    server.routes["/slow"] = Route(rss(SIX), stall_after=10)
    with pytest.raises(FeedCheckFailed) as failed:
        follow(services, server, "/slow")
    assert failed.value.reason == "the server took too long to answer"


def test_anyway_follows_a_feed_that_is_down_right_now(services, server, engine):
    server.routes["/down"] = Route(status=503)
    services.settings = services.settings.model_copy(update={"allow_private_urls": True})
    followed = follow(services, server, "/down", anyway=True)
    assert followed.unchecked == "the feed's server is having trouble (HTTP 503)"
    with Session(engine) as session:
        assert session.get(Podcast, followed.podcast_id).url == server.url("/down")
