"""Health report: polls, failing feeds, queue, dead letters, next brief per channel."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlmodel import Session
from typer.testing import CliRunner

from bot.core import db
from bot.core.config import Settings
from bot.core.models import Channel, Delivery, Episode, Podcast
from bot.core.services import Services
from bot.reports.status import gather_status
from handlers.cli.app import build_app
from tests.fakes.clock import FixedClock

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def seed(engine) -> tuple[Channel, Channel]:
    with Session(engine, expire_on_commit=False) as session:
        ok = Podcast(url="https://example.org/a.xml", title="Alpha", last_polled_at=NOW)
        bad = Podcast(
            url="https://example.org/b.xml",
            title="Broken",
            status="failing",
            failure_count=4,
            last_error="HTTP 500 from example.org",
        )
        session.add_all([ok, bad])
        session.flush()
        for n, status in enumerate(["pending", "pending", "done", "dead", "failed"]):
            session.add(
                Episode(
                    podcast_id=ok.id,
                    identity=f"guid:{n}",
                    title=f"Episode {n}",
                    status=status,
                    attempts=5 if status == "dead" else 0,
                    status_reason="no transcript and no audio URL" if status == "dead" else None,
                )
            )
        berlin = Channel(
            platform="slack",
            channel_ref="C1",
            name="#news",
            brief_time="08:30",
            timezone="Europe/Berlin",
        )
        tokyo = Channel(
            platform="discord",
            channel_ref="D1",
            name="#jp",
            brief_time="07:00",
            timezone="Asia/Tokyo",
        )
        session.add_all([berlin, tokyo])
        session.flush()
        session.add(
            Delivery(
                channel_id=berlin.id,
                local_date=date(2026, 12, 1),
                status="sent",
                message_ref="1.2",
            )
        )
        session.commit()
        return berlin, tokyo


def test_report_shows_every_health_signal(any_engine):
    _berlin, _tokyo = seed(any_engine)
    services = Services(settings=Settings(_env_file=None), engine=any_engine, clock=FixedClock(NOW))
    with Session(any_engine) as session:
        report = gather_status(services, session)
    assert report.last_poll_at == NOW
    assert report.queue == {"pending": 2, "done": 1, "dead": 1, "failed": 1}
    assert [(f.title, f.failures) for f in report.failing_feeds] == [("Broken", 4)]
    assert report.dead[0].reason == "no transcript and no audio URL"
    by_name = {c.name: c for c in report.channels}
    # Berlin got today's brief: next is tomorrow 08:30 local. Tokyo (21:00 local) is due now.
    assert by_name["#news"].next_brief == "2026-12-02T08:30+01:00"
    assert by_name["#news"].last_status == "sent"
    assert by_name["#jp"].next_brief == "2026-12-01T21:00+09:00"
    text = "\n".join(report.lines())
    # one health definition: the failing feed with its count and its error in plain words
    assert (
        "  Broken: failing (4 failures in a row): the feed's server is having trouble (HTTP 500)"
        " · never fetched"
    ) in text
    assert "dead: #" in text and "no transcript and no audio URL" in text
    # human times in the channel's own zone, not raw ISO
    assert (
        "Channel #news (slack): next brief Wed 2 Dec 08:30 Europe/Berlin (in 20 h); "
        "last 2026-12-01 sent"
    ) in text
    assert "Channel #jp (discord): next brief due now" in text
    report.add_section("spend", ["today $0.12 of $5.00"])
    assert report.lines()[-2:] == ["Spend:", "  today $0.12 of $5.00"]
    assert json.loads(json.dumps(report.to_json()))["queue"]["pending"] == 2


def test_report_for_one_channel(engine):
    berlin, _ = seed(engine)
    services = Services(settings=Settings(_env_file=None), engine=engine, clock=FixedClock(NOW))
    with Session(engine) as session:
        report = gather_status(services, session, channel=session.get(Channel, berlin.id))
    assert [c.name for c in report.channels] == ["#news"]


def test_status_cli_json(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    engine = db.create_db_engine(url)
    db.upgrade(engine)
    seed(engine)
    result = CliRunner().invoke(build_app(), ["status", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["queue"]["dead"] == 1
    assert {c["name"] for c in data["channels"]} == {"#news", "#jp"}
    text = CliRunner().invoke(build_app(), ["status"])
    assert "Episodes: dead 1, done 1, failed 1, pending 2" in text.stdout


def test_a_title_less_failing_feed_is_named_without_its_url_secrets(any_engine):
    with Session(any_engine) as session:
        session.add(
            Podcast(
                url="https://user:pw@example.org/private.xml?token=s3cret",
                status="failing",
                failure_count=2,
                last_error="HTTP 401",
            )
        )
        session.commit()
    services = Services(settings=Settings(_env_file=None), engine=any_engine, clock=FixedClock(NOW))
    with Session(any_engine) as session:
        report = gather_status(services, session)
    assert [f.title for f in report.failing_feeds] == ["https://example.org/private.xml"]
    text = "\n".join(report.lines())
    assert "s3cret" not in text and "pw@" not in text


def test_personal_briefs_and_feed_states_read_as_people_say_them(engine):
    with Session(engine, expire_on_commit=False) as session:
        session.add(Channel(platform="console", channel_ref="ann", user_id="ann", name="root"))
        session.add_all(
            [
                Podcast(url="https://e.org/a", title="Alpha", last_success_at=NOW),
                Podcast(
                    url="https://e.org/b", title="Beta", failure_count=1, last_error="HTTP 503"
                ),
                Podcast(url="http://127.0.0.1:1/s.xml", title="Sample", demo_sample="s"),
            ]
        )
        session.commit()
    services = Services(settings=Settings(_env_file=None), engine=engine, clock=FixedClock(NOW))
    with Session(engine) as session:
        report = gather_status(services, session)
    text = "\n".join(report.lines())
    assert "Personal brief of ann (console): next brief due now" in text
    assert "Channel root" not in text
    assert "Feeds: 3 followed (1 active, 1 demo, 1 retrying)" in text
    assert "  Beta: retrying (1 failure in a row): the feed's server is having trouble" in text
    assert "Sample" not in text  # a demo feed is never a problem
    assert report.to_json()["failing_feeds"][0]["state"] == "retrying"
