"""Polling against a local server: queueing, conditional GET, moves, gone, backoff, isolation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from bot.core.config import Settings
from bot.core.models import Episode, Podcast
from bot.core.services import Services
from bot.demo.run import SAMPLES_DIR
from bot.feeds.fetching import SafeFetcher
from bot.feeds.polling import poll_feed, poll_feeds
from bot.feeds.polling_state import Unchanged, record_not_modified_many
from bot.feeds.store import add_feed, due_feeds, list_feeds, remove_feed
from tests.fakes.feeds_server import FeedServer, Route

START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


class StepClock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


def rss(items: list[tuple[str, str, int]], *, chapters: str | None = None) -> bytes:
    """A feed with items (guid, title, day of December 2026)."""
    body = []
    for guid, title, day in items:
        extra = f'<podcast:chapters url="{chapters}" type="application/json+chapters"/>'
        body.append(
            f"<item><guid>{guid}</guid><title>{title}</title>"
            f"<pubDate>{day:02d} Dec 2026 06:00:00 GMT</pubDate>"
            f'<enclosure url="https://cdn.example.com/{guid}.mp3" type="audio/mpeg"/>'
            f"{extra if chapters else ''}</item>"
        )
    return (
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel><title>Show</title>'
        + "".join(body)
        + "</channel></rss>"
    ).encode()


SIX = [(f"ep{n}", f"Episode {n}", n) for n in range(1, 7)]


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as fake:
        yield fake


@pytest.fixture
def services(any_engine, settings) -> Services:
    fast = settings.model_copy(update={"read_timeout_s": 0.5, "poll_interval_minutes": 30})
    return Services(settings=fast, engine=any_engine, clock=StepClock(START))


@pytest.fixture
async def fetcher(services, server):
    async with SafeFetcher(services.settings, allow_hosts={server.host}) as safe:
        yield safe


def follow(services: Services, url: str) -> int:
    with Session(services.engine) as session:
        podcast = add_feed(session, url, settings=services.settings, allow_private=True)
        session.commit()
        return podcast.id


def episodes(services: Services) -> list[Episode]:
    with Session(services.engine) as session:
        return list(session.exec(select(Episode).order_by(Episode.published_at)).all())


def podcast(services: Services, podcast_id: int) -> Podcast:
    with Session(services.engine) as session:
        return session.get(Podcast, podcast_id)


async def test_first_poll_queues_newest_three_then_new_items_are_queued(services, server, fetcher):
    server.routes["/f"] = Route(rss(SIX), etag='"v1"')
    pid = follow(services, server.url("/f"))
    first = await poll_feed(services, pid, fetcher)
    assert (first.status, first.new, first.queued) == ("ok", 6, 3)
    assert [e.status for e in episodes(services)] == ["new"] * 3 + ["pending"] * 3

    services.clock.current += timedelta(hours=1)
    again = await poll_feed(services, pid, fetcher)
    assert (again.status, again.new) == ("not_modified", 0)
    assert server.seen("/f")[-1].headers["if-none-match"] == '"v1"'

    edited = [("ep7", "Episode 7", 7), ("ep6", "Episode 6 (fixed)", 6), *SIX[:5]]
    server.routes["/f"] = Route(rss(edited), etag='"v2"')
    third = await poll_feed(services, pid, fetcher)
    assert (third.new, third.updated, third.queued) == (1, 1, 1)
    stored = episodes(services)
    assert len(stored) == 7
    assert stored[-1].status == "pending" and stored[-2].title == "Episode 6 (fixed)"


async def test_full_fetch_is_forced_daily(services, server, fetcher):
    server.routes["/f"] = Route(rss(SIX[:1]), etag='"v1"')
    pid = follow(services, server.url("/f"))
    await poll_feed(services, pid, fetcher)
    services.clock.current += timedelta(hours=services.settings.full_fetch_hours)
    outcome = await poll_feed(services, pid, fetcher)
    assert outcome.status == "not_modified"  # the same bytes came back: nothing to parse
    assert "if-none-match" not in server.seen("/f")[-1].headers
    assert podcast(services, pid).last_full_fetch_at == services.clock.now()


async def test_a_body_already_stored_is_not_parsed_again(services, server, fetcher, monkeypatch):
    import bot.feeds.polling as polling

    server.routes["/f"] = Route(rss(SIX[:2]))  # no ETag, no Last-Modified: always a 200
    pid = follow(services, server.url("/f"))
    assert (await poll_feed(services, pid, fetcher)).status == "ok"
    parsed = []
    real = polling.parse_feed
    monkeypatch.setattr(polling, "parse_feed", lambda *a, **k: parsed.append(1) or real(*a, **k))
    assert (await poll_feed(services, pid, fetcher)).status == "not_modified"
    assert parsed == []
    server.routes["/f"] = Route(rss(SIX[:3]))  # one new episode: parsed and stored
    outcome = await poll_feed(services, pid, fetcher)
    assert (outcome.status, outcome.new, parsed) == ("ok", 1, [1])


async def test_permanent_redirect_updates_the_stored_url(services, server, fetcher):
    server.routes["/old"] = Route(status=301, location="/new")
    server.routes["/new"] = Route(rss(SIX[:2]))
    pid = follow(services, server.url("/old"))
    assert (await poll_feed(services, pid, fetcher)).status == "ok"
    assert podcast(services, pid).url == server.url("/new")


async def test_gone_feed_stays_listed_and_is_not_polled(services, server, fetcher):
    server.routes["/f"] = Route(status=410)
    pid = follow(services, server.url("/f"))
    assert (await poll_feed(services, pid, fetcher)).status == "gone"
    with Session(services.engine) as session:
        [listed] = list_feeds(session)
    assert (listed.status, listed.last_error) == ("gone", f"HTTP 410 Gone from {server.url('/f')}")
    report = await poll_feeds(services, fetcher=fetcher, only_due=False)
    assert report.outcomes == []


async def test_retry_after_sets_the_next_poll(services, server, fetcher):
    server.routes["/f"] = Route(status=429, headers={"Retry-After": "900"})
    pid = follow(services, server.url("/f"))
    outcome = await poll_feed(services, pid, fetcher)
    assert outcome.status == "failed"
    assert podcast(services, pid).next_poll_at == START + timedelta(seconds=900)


async def test_failures_back_off_and_flag_failing(services, server, fetcher):
    server.routes["/f"] = Route(status=500)
    pid = follow(services, server.url("/f"))
    waits = []
    for _ in range(3):
        await poll_feed(services, pid, fetcher)
        row = podcast(services, pid)
        waits.append(row.next_poll_at - services.clock.current)
        services.clock.current = row.next_poll_at
    assert waits == [timedelta(minutes=30), timedelta(minutes=60), timedelta(minutes=120)]
    assert (row.status, row.failure_count) == ("failing", 3)
    assert "HTTP 500" in row.last_error

    server.routes["/f"] = Route(rss(SIX[:1]))
    await poll_feed(services, pid, fetcher)
    row = podcast(services, pid)
    assert (row.status, row.failure_count, row.last_error) == ("active", 0, None)


async def test_one_broken_feed_never_stops_the_others(services, server, fetcher, corpus):
    server.routes["/good"] = Route(rss(SIX[:2]))
    server.routes["/error"] = Route(status=500)
    server.routes["/notxml"] = Route((corpus / "feeds/lukaswhite/not-xml.rss").read_bytes())
    server.routes["/unsafe"] = Route(status=302, location="http://169.254.169.254/")
    server.routes["/slow"] = Route(rss(SIX), stall_after=20)
    ids = {path: follow(services, server.url(path)) for path in server.routes}
    seen = []
    report = await poll_feeds(services, fetcher=fetcher, on_progress=seen.append)
    by_id = {o.podcast_id: o for o in report.outcomes}
    assert len(seen) == 5
    assert by_id[ids["/good"]].status == "ok" and by_id[ids["/good"]].new == 2
    for path in ("/error", "/notxml", "/unsafe", "/slow"):
        outcome = by_id[ids[path]]
        assert outcome.status == "failed" and "\n" not in outcome.error, path
    assert "not an RSS or Atom feed" in by_id[ids["/notxml"]].error
    assert report.failed == 4


async def test_chapters_are_fetched_for_queued_episodes(services, server, fetcher):
    chapters = {
        "version": "1.2.0",
        "chapters": [{"startTime": 95, "title": "News"}, {"startTime": 0, "title": "Intro"}],
    }
    server.routes["/ch.json"] = Route(
        json.dumps(chapters).encode(), content_type="application/json"
    )
    server.routes["/f"] = Route(rss(SIX[:1], chapters=server.url("/ch.json")))
    server.routes["/broken"] = Route(rss([("b1", "B", 2)], chapters=server.url("/missing.json")))
    ok = follow(services, server.url("/f"))
    broken = follow(services, server.url("/broken"))
    assert (await poll_feed(services, ok, fetcher)).status == "ok"
    assert (await poll_feed(services, broken, fetcher)).status == "ok"
    by_guid = {e.guid: e for e in episodes(services)}
    assert by_guid["ep1"].chapters == [
        {"start": 0.0, "title": "Intro"},
        {"start": 95.0, "title": "News"},
    ]
    assert by_guid["b1"].chapters == [] and by_guid["b1"].status == "pending"


async def test_back_catalogue_of_a_real_feed(services, server, fetcher, corpus):
    body = (corpus / "feeds/partytime/real-world/themnshow.xml").read_bytes()
    server.routes["/mn"] = Route(body)
    pid = follow(services, server.url("/mn"))
    outcome = await poll_feed(services, pid, fetcher)
    assert (outcome.new, outcome.queued) == (54, 3)
    assert podcast(services, pid).title == "The Mike Neumann Show"
    again = await poll_feed(services, pid, fetcher)
    assert (again.new, again.updated, len(episodes(services))) == (0, 0, 54)


def test_settings_default_initial_episodes():
    assert Settings(_env_file=None).initial_episodes == 3


async def test_new_feed_url_moves_the_feed(services, server, fetcher):
    services.settings = services.settings.model_copy(update={"allow_private_urls": True})
    moving = (
        rss(SIX[:1])
        .replace(
            b"<title>Show</title>",
            b"<title>Show</title><itunes:new-feed-url>"
            + server.url("/moved").encode()
            + b"</itunes:new-feed-url>",
        )
        .replace(b"<rss ", b'<rss xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" ')
    )
    server.routes["/f"] = Route(moving)
    pid = follow(services, server.url("/f"))
    await poll_feed(services, pid, fetcher)
    assert podcast(services, pid).url == server.url("/moved")


def test_new_feed_url_in_the_corpus(corpus):
    from bot.feeds.parse import parse_feed

    path = corpus / "feeds/jbierfeldt/bc-sample-new-feed-url.xml"
    feed = parse_feed(path.read_bytes(), url="https://example.com/old")
    assert feed.new_feed_url == "http://feeds.gimletmedia.com/hearreplyall"


def sample_feed(path, base: str) -> bytes:
    """A bundled sample feed with its placeholders filled, as the demo serves it."""
    text = path.read_text().replace("{{BASE_URL}}", base)
    for days in range(10):
        text = text.replace(f"{{{{DAYS_AGO:{days}}}}}", f"{28 - days:02d} Nov 2026 06:00:00 GMT")
    return text.encode()


async def test_bundled_samples_poll_with_chapters(services, server, fetcher):

    samples = SAMPLES_DIR
    for show in ("inference-hour", "build-weekly", "carbon-shift"):
        server.routes[f"/{show}/feed.xml"] = Route(
            sample_feed(samples / show / "feed.xml", f"http://{server.host}")
        )
    chapters = samples / "inference-hour" / "open-weights-closed-wallets.chapters.json"
    server.routes["/inference-hour/open-weights-closed-wallets.chapters.json"] = Route(
        chapters.read_bytes(), content_type="application/json"
    )
    for show in ("inference-hour", "build-weekly", "carbon-shift"):
        follow(services, server.url(f"/{show}/feed.xml"))
    report = await poll_feeds(services, fetcher=fetcher)
    assert (report.new, report.queued, report.failed) == (9, 9, 0)
    stored = {e.guid: e for e in episodes(services)}
    open_weights = stored["podbrief-sample-inference-hour-open-weights-closed-wallets"]
    assert open_weights.chapters[0] == {"start": 33.51, "title": "Leaving the frontier API"}
    assert all(e.transcripts and e.persons for e in stored.values())


async def test_two_pollers_never_poll_one_feed_twice(services, server, fetcher):
    import asyncio

    server.routes["/f"] = Route(rss(SIX[:2]), delay=0.2)
    follow(services, server.url("/f"))
    first, second = await asyncio.gather(
        poll_feeds(services, fetcher=fetcher), poll_feeds(services, fetcher=fetcher)
    )
    assert len(first.outcomes) + len(second.outcomes) == 1
    assert len(server.seen("/f")) == 1 and len(episodes(services)) == 2


class ExplodingFetcher:
    """Delegates to a real fetcher but blows up (a bug, not a FetchError) for one URL."""

    def __init__(self, inner, bad_url: str) -> None:
        self.inner, self.bad_url = inner, bad_url

    async def get(self, url, **kwargs):
        if url == self.bad_url:
            raise RuntimeError("boom\nsecond line")
        return await self.inner.get(url, **kwargs)


async def test_an_unexpected_error_is_recorded_and_the_rest_poll(services, server, fetcher):
    server.routes["/good"] = Route(rss(SIX[:1]))
    server.routes["/bug"] = Route(rss(SIX[:1]))
    good, bug = follow(services, server.url("/good")), follow(services, server.url("/bug"))
    report = await poll_feeds(services, fetcher=ExplodingFetcher(fetcher, server.url("/bug")))
    by_id = {o.podcast_id: o for o in report.outcomes}
    assert by_id[good].status == "ok"
    assert (by_id[bug].status, by_id[bug].error) == ("failed", "internal error: RuntimeError: boom")
    assert podcast(services, bug).failure_count == 1


@pytest.mark.parametrize(("hours_apart", "minutes"), [(168, 240), (24, 144), (1, 30)])
def test_poll_interval_adapts_to_how_often_a_show_publishes(hours_apart, minutes):
    from bot.feeds.parse import ParsedFeed, ParsedItem
    from bot.feeds.polling_state import adaptive_interval

    items = [
        ParsedItem(guid=str(n), title=str(n), published_at=START - timedelta(hours=hours_apart * n))
        for n in range(12)
    ]
    assert adaptive_interval(ParsedFeed(title="S", items=items), 30) == minutes
    assert adaptive_interval(ParsedFeed(title="S"), 30) == 30


async def test_a_successful_poll_schedules_by_the_adaptive_interval(services, server, fetcher):
    server.routes["/f"] = Route(rss(SIX))  # one episode a day: polled every 144 minutes
    pid = follow(services, server.url("/f"))
    await poll_feed(services, pid, fetcher)
    assert podcast(services, pid).next_poll_at == START + timedelta(minutes=144)


class RemovingFetcher:
    """Delegates to a real fetcher, but `feeds remove` runs while the feed's request is out."""

    def __init__(self, inner, services: Services, podcast_id: int) -> None:
        self.inner, self.services, self.podcast_id = inner, services, podcast_id
        self.removed = False

    async def get(self, url, **kwargs):
        if not self.removed:
            with Session(self.services.engine) as session:
                remove_feed(session, self.podcast_id)
                session.commit()
            self.removed = True
        return await self.inner.get(url, **kwargs)


@pytest.mark.parametrize(
    ("route", "status"),
    [(Route(rss(SIX[:1])), "ok"), (Route(status=500), "failed"), (Route(status=410), "gone")],
)
async def test_a_feed_removed_mid_poll_stays_removed(services, server, fetcher, route, status):
    server.routes["/f"] = route
    pid = follow(services, server.url("/f"))
    with Session(services.engine) as session:  # one failure from failing: a 500 would flag it
        row = session.get(Podcast, pid)
        row.failure_count = services.settings.failing_after - 1
        session.add(row)
        session.commit()
    outcome = await poll_feed(services, pid, RemovingFetcher(fetcher, services, pid))
    assert outcome.status == status
    assert podcast(services, pid).status == "removed"
    with Session(services.engine) as session:
        assert due_feeds(session, services.clock.current, only_due=False) == []


@pytest.mark.parametrize(("read_as", "outcome"), [("active", "failure"), ("failing", "success")])
def test_a_removal_committed_after_the_poll_read_the_row_wins(
    any_engine, settings, read_as, outcome
):
    from bot.feeds.polling_state import record_failure, record_not_modified

    strict = settings.model_copy(update={"failing_after": 1})
    with Session(any_engine) as session:
        pid = add_feed(session, "https://example.com/rss", settings=settings).id
        session.get(Podcast, pid).status = read_as
        session.commit()
    with Session(any_engine) as poller:
        row = poller.get(Podcast, pid)  # read before the removal commits
        with Session(any_engine) as remover:
            remove_feed(remover, pid)
            remover.commit()
        if outcome == "failure":  # the failure that flags it failing
            record_failure(row, "HTTP 500", START, strict)
        else:
            record_not_modified(row, {}, START, strict)
        poller.add(row)
        poller.commit()
    with Session(any_engine) as session:
        assert session.get(Podcast, pid).status == "removed"


# --- quiet polls: batched writes, removals, chapters fetched once ---------------------------


async def test_many_quiet_feeds_are_all_recorded_unchanged(services, server):
    ids = []
    for n in range(30):
        etag = f'"e{n}"' if n % 2 == 0 else None  # odd feeds send the same bytes again
        server.routes[f"/f{n}"] = Route(rss(SIX[:2]), etag=etag)
        ids.append(follow(services, server.url(f"/f{n}")))
    # why: the fixture's 0.5 s read timeout is for the stall tests; 30 feeds at once on a
    # loaded CI machine can take longer to answer, and a timed-out first poll reads "ok" later
    patient = services.settings.model_copy(update={"read_timeout_s": 10.0})
    async with SafeFetcher(patient, allow_hosts={server.host}) as fetcher:
        first = await poll_feeds(services, fetcher=fetcher, only_due=False)
        assert [o.status for o in first.outcomes] == ["ok"] * 30
        services.clock.current = START + timedelta(hours=1)
        report = await poll_feeds(services, fetcher=fetcher, only_due=False)
    assert [o.status for o in report.outcomes] == ["not_modified"] * 30
    assert {o.next_poll_at for o in report.outcomes} == {
        START + timedelta(hours=1, minutes=144)
    }  # adaptive: a day apart
    assert all(o.title == "Show" and o.error is None for o in report.outcomes)
    rows = [podcast(services, pid) for pid in ids]
    assert {r.last_polled_at for r in rows} == {START + timedelta(hours=1)}
    assert [r.etag for r in rows[:4]] == ['"e0"', None, '"e2"', None]


async def test_a_feed_removed_while_its_304_is_out_stays_removed(services, server, fetcher):
    server.routes["/f"] = Route(rss(SIX[:1]), etag='"v1"')
    pid = follow(services, server.url("/f"))
    await poll_feed(services, pid, fetcher)
    outcome = await poll_feed(services, pid, RemovingFetcher(fetcher, services, pid))
    assert outcome.status == "not_modified"
    assert podcast(services, pid).status == "removed"


def test_the_batch_write_keeps_a_removal_and_the_old_validators(any_engine, settings):
    with Session(any_engine) as session:
        kept = add_feed(session, "https://example.com/a", settings=settings)
        gone = add_feed(session, "https://example.com/b", settings=settings)
        kept.etag, kept.last_full_fetch_at, kept.failure_count = '"old"', START, 2
        session.commit()
        remove_feed(session, gone.id)
        session.commit()
        ids = (kept.id, gone.id)
    later = START + timedelta(hours=2)
    with Session(any_engine) as session:
        batch = [Unchanged(ids[0], {}, False), Unchanged(ids[1], {"etag": '"new"'}, True)]
        rows = record_not_modified_many(session, batch, later, settings)
        session.commit()
    assert [r.podcast_id for r in rows] == list(ids)
    with Session(any_engine) as session:
        first, second = (session.get(Podcast, i) for i in ids)
        assert (first.status, first.etag, first.failure_count) == ("active", '"old"', 0)
        assert first.last_full_fetch_at == START  # a 304 is not a full fetch
        assert (second.status, second.etag, second.last_full_fetch_at) == (
            "removed",
            '"new"',
            later,
        )


async def test_chapters_shared_by_episodes_are_fetched_once(services, server, fetcher):
    chapters = {"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro"}]}
    server.routes["/ch.json"] = Route(
        json.dumps(chapters).encode(), content_type="application/json"
    )
    server.routes["/f"] = Route(rss(SIX[:3], chapters=server.url("/ch.json")))
    pid = follow(services, server.url("/f"))
    outcome = await poll_feed(services, pid, fetcher)
    assert outcome.queued == 3
    assert len(server.seen("/ch.json")) == 1
    with Session(services.engine) as session:
        episodes = session.exec(select(Episode).where(Episode.podcast_id == pid)).all()
    assert [e.chapters for e in episodes] == [[{"start": 0.0, "title": "Intro"}]] * 3
