"""`/podbrief brief` goes through the delivery ledger: posted once, then shown as already posted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from bot.core.config import Settings
from bot.core.models import Channel, Delivery, DeliveryItem
from bot.core.services import Services
from bot.delivery.posting import deliver_due
from bot.delivery.todays_brief import COMMAND_REF, brief_now
from handlers.chat.replies import CommandRequest
from handlers.chat.router import dispatch
from tests.fakes.briefs import add_channels, compose_empty, compose_top, seed_insights
from tests.fakes.clock import FixedClock
from tests.fakes.publisher import RecordingPublisher

EARLY = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)  # before the 08:00 scheduled brief


@pytest.fixture
def top(monkeypatch):
    monkeypatch.setattr("bot.delivery.todays_brief.compose_brief", compose_top)


def setup(engine, **channel_fields) -> tuple[Services, Channel]:
    with Session(engine, expire_on_commit=False) as session:
        seed_insights(session)
        [channel] = add_channels(session, "slack", 1, **channel_fields)
    settings = Settings(_env_file=None, worker_id="w1")
    return Services(settings=settings, engine=engine, clock=FixedClock(EARLY)), channel


def ledger(engine) -> list[Delivery]:
    with Session(engine) as session:
        return list(session.exec(select(Delivery)))


def item_ids(engine) -> list[int]:
    with Session(engine) as session:
        return list(session.exec(select(DeliveryItem.insight_id).order_by(DeliveryItem.rank)))


def test_brief_now_is_recorded_and_the_scheduled_brief_does_not_repeat_it(any_engine, top):
    services, channel = setup(any_engine)
    first = brief_now(services, channel, EARLY)
    assert len(first.brief.items) == 3 and first.posted_at is None and not first.preview
    [row] = ledger(any_engine)
    assert (row.status, row.message_ref) == ("sent", COMMAND_REF)
    assert item_ids(any_engine) == [item.insight_id for item in first.brief.items]

    services.clock.advance(hours=2)  # past 08:00: the tick finds today settled
    publisher = RecordingPublisher("slack")
    assert deliver_due(services, {"slack": publisher}, compose=compose_top) == {}
    assert publisher.posts == []

    again = brief_now(services, channel, services.clock.now())
    assert again.heading(channel) == "Today's brief (already posted at 07:00)"
    assert [i.insight_id for i in again.brief.items] == item_ids(any_engine)
    assert [i.text for i in again.brief.items] == [i.text for i in first.brief.items]
    assert again.delivery_id == first.delivery_id and len(ledger(any_engine)) == 1


def test_already_posted_time_is_the_channels_local_time(engine, top):
    services, channel = setup(engine, timezone="Europe/Berlin")
    brief_now(services, channel, EARLY)
    again = brief_now(services, channel, EARLY.replace(hour=9))
    assert again.heading(channel) == "Today's brief (already posted at 08:00)"


def test_nothing_new_claims_nothing_so_the_scheduled_brief_still_comes(engine, monkeypatch):
    monkeypatch.setattr("bot.delivery.todays_brief.compose_brief", compose_empty)
    services, channel = setup(engine)
    empty = brief_now(services, channel, EARLY)
    assert empty.preview and not empty.brief.items and ledger(engine) == []
    services.clock.advance(hours=2)
    publisher = RecordingPublisher("slack")
    assert deliver_due(services, {"slack": publisher}, compose=compose_top) == {"sent": 1}


def test_a_day_the_tick_found_empty_can_still_get_todays_brief(engine, top):
    services, channel = setup(engine)
    services.clock.advance(hours=2)
    assert deliver_due(services, {"slack": RecordingPublisher("slack")}, compose=compose_empty)
    assert [r.status for r in ledger(engine)] == ["empty"]
    later = brief_now(services, channel, services.clock.now())
    assert len(later.brief.items) == 3 and later.posted_at is None
    assert [(r.status, r.message_ref) for r in ledger(engine)] == [("sent", COMMAND_REF)]


def test_while_the_tick_is_posting_the_command_shows_a_preview(engine, top):
    services, channel = setup(engine)
    with Session(engine) as session:
        session.add(
            Delivery(
                channel_id=channel.id,
                local_date=EARLY.date(),
                status="claimed",
                claimed_by="clock",
                claimed_at=EARLY,
                attempts=1,
            )
        )
        session.commit()
    shown = brief_now(services, channel, EARLY)
    assert shown.preview and len(shown.brief.items) == 3
    assert [r.status for r in ledger(engine)] == ["claimed"] and item_ids(engine) == []


def test_the_chat_command_posts_once_then_says_already_posted(engine, top):
    services, channel = setup(engine)
    request = CommandRequest(
        text="brief", platform="slack", channel_ref=channel.channel_ref, user_id="U1", team_id=""
    )
    first = dispatch(services, request)
    assert first.visibility == "in_channel" and len(first.brief.items) == 3
    assert first.title is None
    services.clock.advance(minutes=30)
    second = dispatch(services, request)
    assert second.title == "Today's brief (already posted at 07:00)"
    assert [i.insight_id for i in second.brief.items] == [i.insight_id for i in first.brief.items]


def test_personal_brief_me_is_recorded_once_too(engine, top):
    services, _channel = setup(engine)
    values = {"platform": "slack", "channel_ref": "C9", "user_id": "U7", "team_id": "T1"}
    assert not dispatch(services, CommandRequest(text="subscribe devops --me", **values)).error
    first = dispatch(services, CommandRequest(text="brief --me", **values))
    assert first.visibility == "ephemeral" and len(first.brief.items) == 3
    second = dispatch(services, CommandRequest(text="brief --me", **values))
    assert second.title == "Today's brief (already posted at 07:00)"
    with Session(engine) as session:
        personal = session.exec(select(Channel).where(Channel.user_id == "U7")).one()
        [row] = session.exec(select(Delivery).where(Delivery.channel_id == personal.id))
    assert row.message_ref == COMMAND_REF


def crashed_claim(engine, channel, status: str = "claimed") -> int:
    """Today's row as a crashed (or failed) scheduled post left it, long ago."""
    with Session(engine, expire_on_commit=False) as session:
        row = Delivery(
            channel_id=channel.id,
            local_date=EARLY.date(),
            status=status,
            claimed_by="clock",
            claimed_at=EARLY - timedelta(hours=1),
            attempts=1,
        )
        session.add(row)
        session.commit()
        return row.id


@pytest.mark.parametrize("status", ["claimed", "failed"])
def test_without_a_publisher_a_day_that_may_have_posted_is_only_previewed(any_engine, top, status):
    services, channel = setup(any_engine)
    crashed_claim(any_engine, channel, status)
    shown = brief_now(services, channel, EARLY)
    assert shown.preview and shown.delivery_id is None and len(shown.brief.items) == 3
    [row] = ledger(any_engine)
    assert (row.status, row.claimed_by, row.message_ref) == (status, "clock", None)
    assert item_ids(any_engine) == []


@pytest.mark.parametrize("status", ["claimed", "failed"])
def test_a_brief_the_tick_posted_before_crashing_is_not_posted_again(any_engine, top, status):
    services, channel = setup(any_engine)
    delivery_id = crashed_claim(any_engine, channel, status)
    publisher = RecordingPublisher("slack")
    with Session(any_engine) as session:
        posted = compose_top(services, session, channel, EARLY.date())
    publisher.send_brief(channel, posted, delivery_id=delivery_id)
    shown = brief_now(services, channel, EARLY, publisher)
    assert shown.posted_at is not None and shown.delivery_id == delivery_id
    assert shown.heading(channel) == "Today's brief (already posted at 07:00)"
    [row] = ledger(any_engine)
    assert (row.status, row.message_ref) == ("sent", "slack:1")
    assert len(publisher.posts) == 1


def test_with_a_publisher_a_stale_claim_that_never_posted_is_taken_over(any_engine, top):
    services, channel = setup(any_engine)
    delivery_id = crashed_claim(any_engine, channel)
    shown = brief_now(services, channel, EARLY, RecordingPublisher("slack"))
    assert not shown.preview and shown.posted_at is None and shown.delivery_id == delivery_id
    [row] = ledger(any_engine)
    assert (row.status, row.message_ref) == ("sent", COMMAND_REF)
