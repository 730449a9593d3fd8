"""Delivery: one brief per channel per local day through real SDK/httpx against local fakes."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from bot.core.config import Settings
from bot.core.errors import HistoryUnavailable, RateLimited, ServiceUnavailable
from bot.core.models import Channel, Delivery, DeliveryItem
from bot.core.services import Services
from bot.delivery.ledger import claim_delivery, mark_failed, mark_sent
from bot.delivery.posting import SEND_ATTEMPTS, claim_timeout, deliver_due
from handlers.cli.root import build_publishers
from tests.fakes.briefs import add_channels, compose_empty, compose_top, seed_insights
from tests.fakes.clock import FixedClock
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.publisher import RecordingPublisher
from tests.fakes.slack_post_server import FakeSlack

# 09:00 UTC on Tue 1 Dec 2026: past 08:00 UTC briefs.
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DAY = date(2026, 12, 1)


@pytest.fixture
def slack():
    with FakeSlack() as server:
        yield server


@pytest.fixture
def discord_api():
    with FakeDiscord() as server:
        yield server


class Recorder:
    """An injected sleep: records waits instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def make_services(engine, slack: FakeSlack, discord_api: FakeDiscord, **overrides) -> Services:
    settings = Settings(
        _env_file=None,
        worker_id="w1",
        slack_bot_token=slack.token,
        slack_api_url=slack.api_url,
        discord_token=discord_api.token,
        discord_api_url=discord_api.api_url,
        **overrides,
    )
    return Services(settings=settings, engine=engine, clock=FixedClock(NOW))


def deliveries(engine) -> list[Delivery]:
    with Session(engine) as session:
        return list(session.exec(select(Delivery).order_by(Delivery.channel_id)))


def tick(services: Services, sleep=None, compose=compose_top):
    publishers = build_publishers(services.settings)
    publishers["slack"]._sleep = sleep or Recorder()  # no real waits between posts
    return deliver_due(services, publishers, compose=compose, sleep=sleep or Recorder())


def test_each_channel_gets_one_brief_per_day_however_often_the_tick_runs(
    any_engine, slack, discord_api
):
    with Session(any_engine, expire_on_commit=False) as session:
        seed_insights(session)
        slack_channels = add_channels(session, "slack", 2)
        discord_channels = add_channels(session, "discord", 2)
    services = make_services(any_engine, slack, discord_api)
    assert tick(services) == {"sent": 4}
    assert tick(services) == {}
    services.clock.advance(hours=3)
    assert tick(services) == {}
    for channel in slack_channels:
        [post] = slack.posts(channel.channel_ref)
        assert post["metadata"]["event_type"] == "podbrief_brief"
        payload = post["metadata"]["event_payload"]
        assert payload["episode_ids"] and payload["delivery_id"]  # thread follow-ups use them
        assert "Teams that ship daily" in post["text"]
    for channel in discord_channels:
        [post] = discord_api.posts(channel.channel_ref)
        assert post["nonce"].startswith("podbrief-")
        assert post["allowed_mentions"] == {"parse": []}
    rows = deliveries(any_engine)
    assert {r.status for r in rows} == {"sent"} and {r.local_date for r in rows} == {DAY}
    assert all(r.message_ref for r in rows)
    with Session(any_engine, expire_on_commit=False) as session:
        assert len(session.exec(select(DeliveryItem)).all()) == 12


def test_next_day_brings_a_new_brief_with_new_items(engine, slack, discord_api):
    with Session(engine, expire_on_commit=False) as session:
        seed_insights(session)
        [channel] = add_channels(session, "slack", 1)
    services = make_services(engine, slack, discord_api)
    tick(services)
    services.clock.advance(days=1)
    assert tick(services) == {"sent": 1}
    first, second = slack.posts(channel.channel_ref)
    assert first["text"] != second["text"]  # delivered items are recorded and not repeated


def test_catch_up_after_downtime_sends_only_today(engine, slack, discord_api):
    with Session(engine, expire_on_commit=False) as session:
        seed_insights(session)
        [channel] = add_channels(session, "slack", 1, timezone="America/New_York")
    services = make_services(engine, slack, discord_api)
    # Back up at 22:00 New York time two days after the last run: one brief, for today.
    services.clock.current = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
    assert tick(services) == {"sent": 1}
    assert [r.local_date for r in deliveries(engine)] == [date(2026, 12, 2)]
    assert len(slack.posts(channel.channel_ref)) == 1


def test_not_sent_before_the_local_brief_time(engine, slack, discord_api):
    with Session(engine, expire_on_commit=False) as session:
        seed_insights(session)
        add_channels(session, "slack", 1, timezone="Europe/Berlin", brief_time="10:30")
    services = make_services(engine, slack, discord_api)
    services.clock.current = datetime(2026, 12, 1, 9, 29, tzinfo=UTC)
    assert tick(services) == {}
    services.clock.current = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    assert tick(services) == {"sent": 1}


def test_slack_429_waits_retry_after_then_posts_once(engine, slack, discord_api):
    with Session(engine, expire_on_commit=False) as session:
        seed_insights(session)
        [channel] = add_channels(session, "slack", 1)
    slack.rate_limit[channel.channel_ref] = 2
    sleep = Recorder()
    assert tick(make_services(engine, slack, discord_api), sleep=sleep) == {"sent": 1}
    assert len(slack.posts(channel.channel_ref)) == 1
    assert [w for w in sleep.waits if w == 1.0] == [1.0, 1.0]  # Retry-After: 1


def test_discord_429_waits_retry_after_then_posts_once(engine, slack, discord_api):
    with Session(engine, expire_on_commit=False) as session:
        seed_insights(session)
        [channel] = add_channels(session, "discord", 1)
    discord_api.rate_limit[channel.channel_ref] = 1
    sleep = Recorder()
    assert tick(make_services(engine, slack, discord_api), sleep=sleep) == {"sent": 1}
    assert len(discord_api.posts(channel.channel_ref)) == 1
    assert 0.25 in sleep.waits


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "is_archived"])
def test_deleted_slack_channel_is_marked_gone_and_others_still_get_briefs(
    engine, slack, discord_api, error
):
    with Session(engine, expire_on_commit=False) as session:
        seed_insights(session)
        gone, kept = add_channels(session, "slack", 2)
    slack.errors[gone.channel_ref] = error
    services = make_services(engine, slack, discord_api)
    assert tick(services) == {"gone": 1, "sent": 1}
    assert len(slack.posts(kept.channel_ref)) == 1
    with Session(engine, expire_on_commit=False) as session:
        row = session.get(Channel, gone.id)
        assert row.status == "gone" and error in row.status_reason
    before = len(slack.requests)
    services.clock.advance(days=1)
    assert tick(services) == {"sent": 1}
    assert len(slack.requests) == before + 1  # the gone channel is not even tried


def test_deleted_or_forbidden_discord_channel_is_marked_gone(engine, slack, discord_api):
    with Session(engine, expire_on_commit=False) as session:
        seed_insights(session)
        deleted, kicked, kept = add_channels(session, "discord", 3)
    discord_api.gone.add(deleted.channel_ref)
    discord_api.forbidden.add(kicked.channel_ref)
    assert tick(make_services(engine, slack, discord_api)) == {"gone": 2, "sent": 1}
    assert len(discord_api.posts(kept.channel_ref)) == 1
    with Session(engine, expire_on_commit=False) as session:
        reasons = {session.get(Channel, c.id).status_reason for c in (deleted, kicked)}
    assert reasons == {"Discord: Unknown Channel", "Discord: Missing Access"}


def test_lost_slack_response_is_not_posted_twice(engine, slack, discord_api):
    with Session(engine, expire_on_commit=False) as session:
        seed_insights(session)
        [channel] = add_channels(session, "slack", 1)
    slack.timeout_after_post.add(channel.channel_ref)  # posted, but the reply was a 500
    assert tick(make_services(engine, slack, discord_api)) == {"sent": 1}
    [post] = slack.posts(channel.channel_ref)
    assert deliveries(engine)[0].message_ref == post["ts"]


def test_stale_claim_after_a_crash_is_taken_over_without_a_second_post(
    any_engine, slack, discord_api
):
    with Session(any_engine, expire_on_commit=False) as session:
        seed_insights(session)
        [s_channel] = add_channels(session, "slack", 1)
        [d_channel] = add_channels(session, "discord", 1)
        old = NOW - timedelta(minutes=10)
        for channel in (s_channel, d_channel):
            session.add(
                Delivery(
                    channel_id=channel.id,
                    local_date=DAY,
                    claimed_by="dead",
                    claimed_at=old,
                    attempts=1,
                )
            )
        session.commit()
        ids = {d.channel_id: d.id for d in session.exec(select(Delivery))}
    # The crashed process had posted both briefs before it could mark them sent.
    slack_ts, discord_id = slack.new_ts(), discord_api.new_id()
    slack.messages[s_channel.channel_ref] = [
        {
            "ts": slack_ts,
            "text": "x",
            "metadata": {
                "event_type": "podbrief_brief",
                "event_payload": {"delivery_id": ids[s_channel.id]},
            },
        }
    ]
    discord_api.messages[d_channel.channel_ref] = [
        {
            "id": discord_id,
            "channel_id": d_channel.channel_ref,
            "nonce": f"podbrief-{ids[d_channel.id]}",
        }
    ]
    assert tick(make_services(any_engine, slack, discord_api)) == {"sent": 2}
    assert len(slack.posts(s_channel.channel_ref)) == 1
    assert len(discord_api.posts(d_channel.channel_ref)) == 1
    refs = {d.channel_id: d.message_ref for d in deliveries(any_engine)}
    assert refs == {s_channel.id: slack_ts, d_channel.id: discord_id}


def test_discord_post_is_found_by_its_footer_tag_after_the_nonce_window(
    any_engine, slack, discord_api
):
    from handlers.discord_bot.publisher import DiscordPublisher

    with Session(any_engine, expire_on_commit=False) as session:
        seed_insights(session)
        [channel] = add_channels(session, "discord", 1)
        row = Delivery(
            channel_id=channel.id,
            local_date=DAY,
            claimed_by="dead",
            claimed_at=NOW - timedelta(hours=2),
            attempts=1,
        )
        session.add(row)
        session.commit()
        brief = compose_top(make_services(any_engine, slack, discord_api), session, channel, DAY)
    services = make_services(any_engine, slack, discord_api)
    # The crashed process posted the brief two hours ago; Discord has forgotten its nonce since.
    first = DiscordPublisher.from_settings(services.settings).send_brief(
        channel, brief, delivery_id=row.id
    )
    [post] = discord_api.posts(channel.channel_ref)
    assert post["embeds"][0]["footer"] == {"text": f"podbrief brief #{row.id}"}
    discord_api.nonce_window_open = False
    discord_api.messages[channel.channel_ref].append(
        {"id": "5", "embeds": [{"footer": {"text": "podbrief brief #999"}}]}  # someone else's
    )
    assert tick(services) == {"sent": 1}
    assert len(discord_api.posts(channel.channel_ref)) == 2  # no second brief
    [delivery] = deliveries(any_engine)
    assert (delivery.status, delivery.message_ref, delivery.attempts) == ("sent", first, 2)


def test_fresh_claim_of_another_worker_is_left_alone(any_engine, slack, discord_api):
    with Session(any_engine, expire_on_commit=False) as session:
        seed_insights(session)
        [channel] = add_channels(session, "slack", 1)
        session.add(
            Delivery(
                channel_id=channel.id,
                local_date=DAY,
                claimed_by="other",
                claimed_at=NOW - timedelta(seconds=5),
                attempts=1,
            )
        )
        session.commit()
    assert tick(make_services(any_engine, slack, discord_api)) == {"skipped": 1}
    assert slack.posts(channel.channel_ref) == []


def test_empty_brief_is_recorded_and_not_posted_unless_asked(engine, slack, discord_api):
    with Session(engine, expire_on_commit=False) as session:
        [channel] = add_channels(session, "slack", 1)
    services = make_services(engine, slack, discord_api)
    assert tick(services, compose=compose_empty) == {"empty": 1}
    assert slack.posts(channel.channel_ref) == []
    assert deliveries(engine)[0].status == "empty"
    services.clock.advance(days=1)
    services.settings.post_empty_briefs = True
    assert tick(services, compose=compose_empty) == {"empty": 1}
    [post] = slack.posts(channel.channel_ref)
    assert "Nothing new for devops today." in post["text"]


def test_failures_are_retried_on_later_ticks_up_to_the_limit(engine, slack, discord_api):
    with Session(engine, expire_on_commit=False) as session:
        seed_insights(session)
        [channel] = add_channels(session, "slack", 1)
    slack.errors[channel.channel_ref] = "internal_error"
    services = make_services(engine, slack, discord_api, delivery_max_attempts=2)
    assert tick(services) == {"failed": 1}
    assert tick(services) == {"skipped": 1}  # too soon: failed briefs wait 5 minutes
    services.clock.advance(minutes=5)
    assert tick(services) == {"failed": 1}
    services.clock.advance(minutes=5)
    assert tick(services) == {"skipped": 1}  # attempts used up: stays failed with its reason
    [row] = deliveries(engine)
    assert row.status == "failed" and "internal_error" in row.error
    del slack.errors[channel.channel_ref]
    services.clock.advance(days=1)
    assert tick(services) == {"sent": 1}


def test_two_deliverers_racing_post_once(any_engine, slack, discord_api):
    with Session(any_engine, expire_on_commit=False) as session:
        seed_insights(session)
        channels = add_channels(session, "slack", 6)
    results = []

    def run(worker: str) -> None:
        services = make_services(any_engine, slack, discord_api)
        services.settings.worker_id = worker
        results.append(tick(services))

    threads = [threading.Thread(target=run, args=(f"w{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.get("sent", 0) for r in results) == 6
    assert all(len(slack.posts(c.channel_ref)) == 1 for c in channels)


def test_slack_posts_to_one_channel_are_spaced_a_second_apart():
    from handlers.slack_app.publisher import SlackPublisher

    now = [100.0]
    waits = Recorder()
    publisher = SlackPublisher(client=None, monotonic=lambda: now[0], sleep=waits)
    publisher._throttle("C1")
    now[0] += 0.25
    publisher._throttle("C1")
    publisher._throttle("C2")
    assert waits.waits == [0.75]


def test_oauth_installs_post_with_each_workspace_token(engine, slack):
    with Session(engine, expire_on_commit=False) as session:
        seed_insights(session)
        [channel] = add_channels(session, "slack", 1, team_id="T1")
    settings = Settings(_env_file=None, slack_api_url=slack.api_url)  # no single bot token
    publishers = build_publishers(settings, slack_token_for={"T1": slack.token}.get)
    services = Services(settings=settings, engine=engine, clock=FixedClock(NOW))
    assert deliver_due(services, publishers, compose=compose_top, sleep=Recorder()) == {"sent": 1}
    assert len(slack.posts(channel.channel_ref)) == 1


def test_a_history_that_cannot_be_read_is_said_so_never_guessed(engine, slack, discord_api):
    with Session(engine, expire_on_commit=False) as session:
        [s_channel] = add_channels(session, "slack", 1)
        [d_channel] = add_channels(session, "discord", 1)
    publishers = build_publishers(make_services(engine, slack, discord_api).settings)
    slack.errors[s_channel.channel_ref] = "missing_scope"
    discord_api.history_hidden.add(d_channel.channel_ref)
    for channel in (s_channel, d_channel):
        with pytest.raises(HistoryUnavailable, match="cannot read"):
            publishers[channel.platform].find_sent(channel, delivery_id=1)
    slack.errors[s_channel.channel_ref] = "internal_error"
    with pytest.raises(ServiceUnavailable):
        publishers["slack"].find_sent(s_channel, delivery_id=1)


@pytest.mark.parametrize("platform", ["slack", "discord"])
def test_an_earlier_post_is_found_however_much_was_said_after_it(
    engine, slack, discord_api, platform
):
    with Session(engine, expire_on_commit=False) as session:
        seed_insights(session)
        [channel] = add_channels(session, platform, 1)
    services = make_services(engine, slack, discord_api)
    publisher = build_publishers(services.settings)[platform]
    brief = compose_top(services, Session(engine), channel, DAY)
    since = datetime.now(UTC)
    posted = publisher.send_brief(channel, brief, delivery_id=41)
    fake = slack if platform == "slack" else discord_api
    discord_api.nonce_window_open = False  # only the footer tag is left to find it by
    fake.chatter(channel.channel_ref, 450)  # several pages of other people's messages
    assert publisher.find_sent(channel, delivery_id=41, since=since) == posted
    assert publisher.find_sent(channel, delivery_id=42, since=since) is None


def test_a_personal_slack_brief_is_looked_up_in_the_dm_it_went_to(engine, slack, discord_api):
    with Session(engine, expire_on_commit=False) as session:
        seed_insights(session)
        [channel] = add_channels(session, "slack", 1, prefix="U", user_id="U0000")
    services = make_services(engine, slack, discord_api)
    publisher = build_publishers(services.settings)["slack"]
    brief = compose_top(services, Session(engine), channel, DAY)
    posted = publisher.send_brief(channel, brief, delivery_id=5)
    assert publisher.find_sent(channel, delivery_id=5, since=datetime.now(UTC)) == posted


def test_a_taken_over_claim_whose_history_is_hidden_waits_instead_of_posting_again(
    engine, slack, discord_api
):
    with Session(engine, expire_on_commit=False) as session:
        seed_insights(session)
        [channel] = add_channels(session, "discord", 1)
        session.add(
            Delivery(
                channel_id=channel.id,
                local_date=DAY,
                claimed_by="dead",
                claimed_at=NOW - timedelta(minutes=10),
                attempts=1,
            )
        )
        session.commit()
    discord_api.history_hidden.add(channel.channel_ref)
    services = make_services(engine, slack, discord_api)
    assert tick(services) == {"failed": 1}
    assert discord_api.posts(channel.channel_ref) == []
    [row] = deliveries(engine)
    assert row.status == "failed" and "cannot read" in row.error
    discord_api.history_hidden.clear()  # the permission is back: the retry checks, then posts
    services.clock.advance(minutes=30)
    assert tick(services) == {"sent": 1}
    assert len(discord_api.posts(channel.channel_ref)) == 1


def ledger_services(engine, **overrides) -> Services:
    settings = Settings(_env_file=None, worker_id="w1", **overrides)
    return Services(settings=settings, engine=engine, clock=FixedClock(NOW))


def quiet_tick(services: Services, publisher, compose=compose_top):
    return deliver_due(services, {"slack": publisher}, compose=compose, sleep=Recorder())


def test_a_late_morning_gets_its_brief_once_the_insights_arrive(any_engine):
    with Session(any_engine, expire_on_commit=False) as session:
        seed_insights(session)
        add_channels(session, "slack", 1)
    services, publisher = ledger_services(any_engine), RecordingPublisher("slack")
    assert quiet_tick(services, publisher, compose=compose_empty) == {"empty": 1}
    services.clock.advance(minutes=10)
    assert quiet_tick(services, publisher) == {}  # empty days are looked at every 30 minutes
    services.clock.advance(minutes=21)
    assert quiet_tick(services, publisher) == {"sent": 1}
    services.clock.advance(minutes=31)
    assert quiet_tick(services, publisher) == {}
    assert len(publisher.posts) == 1
    [row] = deliveries(any_engine)
    assert (row.status, row.message_ref, row.attempts) == ("sent", "slack:1", 1)


def test_a_posted_nothing_new_note_is_final_for_the_day(engine):
    with Session(engine, expire_on_commit=False) as session:
        seed_insights(session)
        add_channels(session, "slack", 1)
    services = ledger_services(engine, post_empty_briefs=True)
    publisher = RecordingPublisher("slack")
    assert quiet_tick(services, publisher, compose=compose_empty) == {"empty": 1}
    services.clock.advance(hours=1)
    assert quiet_tick(services, publisher) == {}
    assert len(publisher.posts) == 1


def test_the_loser_of_a_race_does_not_overwrite_the_winners_row(any_engine):
    with Session(any_engine, expire_on_commit=False) as session:
        [channel] = add_channels(session, "slack", 1)
    services = ledger_services(any_engine)
    timeout = claim_timeout(services.settings)
    common = {"channel_id": channel.id, "local_date": DAY, "max_attempts": 5}
    slow = claim_delivery(any_engine, worker="slow", now=NOW, stale_after=timeout, **common)
    later = NOW + timeout + timedelta(seconds=1)
    winner = claim_delivery(any_engine, worker="fast", now=later, stale_after=timeout, **common)
    assert winner is not None and winner.reclaimed
    empty = compose_empty(services, None, channel, DAY)
    assert mark_sent(any_engine, winner, brief=empty, message_ref="fast-ts", now=later)
    assert not mark_sent(any_engine, slow, brief=empty, message_ref="slow-ts", now=later)
    assert not mark_failed(any_engine, slow, reason="boom")
    [row] = deliveries(any_engine)
    assert (row.status, row.message_ref, row.claimed_by, row.error) == (
        "sent",
        "fast-ts",
        "fast",
        None,
    )


def test_a_claim_is_live_for_longer_than_the_slowest_send(any_engine):
    with Session(any_engine, expire_on_commit=False) as session:
        seed_insights(session)
        add_channels(session, "slack", 1)
    services = ledger_services(any_engine)

    class Throttled(RecordingPublisher):
        def send_brief(self, channel, brief, *, delivery_id):
            raise RateLimited("slow down", retry_after=120.0)

    waits = Recorder()
    outcome = deliver_due(services, {"slack": Throttled("slack")}, compose=compose_top, sleep=waits)
    assert outcome == {"failed": 1}
    request_s = services.settings.connect_timeout_s + services.settings.read_timeout_s
    worst_send = timedelta(seconds=sum(waits.waits) + SEND_ATTEMPTS * 2 * request_s)
    assert worst_send < claim_timeout(services.settings)

    # A claim older than DELIVERY_CLAIM_TIMEOUT_S but within the worst send is still live.
    with Session(any_engine) as session:
        row = session.exec(select(Delivery)).one()
        row.status, row.claimed_by, row.claimed_at = "claimed", "busy", NOW
        session.add(row)
        session.commit()
    services.clock.advance(seconds=services.settings.delivery_claim_timeout_s + 60)
    publisher = RecordingPublisher("slack")
    assert quiet_tick(services, publisher) == {"skipped": 1}
    assert publisher.posts == []


def test_the_tick_composes_due_briefs_together_each_as_it_would_be_alone(engine, monkeypatch):
    from bot.briefs.compose import compose_brief
    from bot.core.models import Insight
    from bot.delivery import posting
    from tests.fakes.insights_data import seed_channel

    with Session(engine, expire_on_commit=False) as session:
        for insight in session.exec(select(Insight).where(Insight.id.in_(seed_insights(session)))):
            insight.created_at = NOW - timedelta(hours=3)  # said this morning
        channels = [
            seed_channel(session, f"K{n}", ["devops", "incidents"][: 1 + n % 2]) for n in range(4)
        ]
        late = seed_channel(session, "K9", ["devops"])
        session.commit()
    services = Services(settings=Settings(_env_file=None), engine=engine, clock=FixedClock(NOW))
    with Session(engine) as session:
        alone = {c.id: compose_brief(services, session, c, DAY) for c in [*channels, late]}
    assert all(brief.items for brief in alone.values())
    one_by_one = []
    monkeypatch.setattr(
        posting, "compose_brief", lambda *a: one_by_one.append(a[2].id) or compose_brief(*a)
    )
    composer = posting.composed_ahead(services, channels, NOW)
    with Session(engine) as session:
        for channel in [*channels, late]:
            assert composer(services, session, channel, DAY) == alone[channel.id]
    assert one_by_one == [late.id]  # only the channel that was not due when the tick began
