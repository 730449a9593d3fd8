"""The console publisher prints briefs through the terminal renderer; the ledger keeps one a day."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Console
from sqlmodel import Session

from bot.core.config import Settings
from bot.core.services import Services
from bot.delivery.posting import deliver_due
from handlers.console.publisher import ConsolePublisher
from tests.fakes.briefs import add_channels, compose_top, seed_insights
from tests.fakes.clock import FixedClock


def test_console_briefs_print_once_a_day(engine):
    with Session(engine) as session:
        seed_insights(session)
        add_channels(session, "console", 1)
    console = Console(record=True, width=120)
    publisher = ConsolePublisher(console)
    services = Services(
        settings=Settings(_env_file=None),
        engine=engine,
        clock=FixedClock(datetime(2026, 12, 1, 9, tzinfo=UTC)),
    )
    assert deliver_due(services, {"console": publisher}, compose=compose_top) == {"sent": 1}
    assert deliver_due(services, {"console": publisher}, compose=compose_top) == {}
    text = console.export_text()
    assert "Your podcast brief · Tue 1 Dec" in text
    assert text.count("Teams that ship daily fix incidents faster, point 0.") == 1
    assert publisher.find_sent(None, delivery_id=1) is None


def test_the_real_brief_composer_feeds_the_ledger_and_never_repeats_an_item(engine):
    from sqlmodel import select

    from bot.core.models import DeliveryItem, Insight, Subscription

    with Session(engine, expire_on_commit=False) as session:
        seed_insights(session, count=8)
        for insight in session.exec(select(Insight)):
            insight.created_at = datetime(2026, 11, 30, 12, tzinfo=UTC)
            session.add(insight)
        [channel] = add_channels(session, "console", 1)
        session.add(Subscription(channel_id=channel.id, topic="devops"))
        session.commit()
    publisher = ConsolePublisher(Console(record=True, width=120))
    clock = FixedClock(datetime(2026, 12, 1, 9, tzinfo=UTC))
    services = Services(settings=Settings(_env_file=None), engine=engine, clock=clock)
    assert deliver_due(services, {"console": publisher}) == {"sent": 1}
    clock.advance(days=1)
    second = deliver_due(services, {"console": publisher})
    with Session(engine) as session:
        items = session.exec(select(DeliveryItem.insight_id)).all()
    assert len(items) == len(set(items)) > 0
    assert second in ({"sent": 1}, {"empty": 1})
