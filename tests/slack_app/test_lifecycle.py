"""A workspace removing podbrief stops its briefs and forgets its tokens; installing again
brings its channels back. Real signed Events API requests through Bolt over HTTP."""

from __future__ import annotations

import threading

import pytest
from pydantic import SecretStr
from slack_sdk.oauth.installation_store import Installation
from sqlmodel import Session, select

from bot.core.models import Channel
from bot.core.services import Services
from handlers.slack_app.app import build_slack_app
from handlers.slack_app.installs import build_installation_store
from handlers.slack_app.runner import start_http
from tests.fakes.slack_requests import SIGNING_SECRET, post
from tests.fakes.slack_server import FakeSlack


@pytest.fixture
def fake():
    server = FakeSlack().start()
    yield server
    server.stop()


def event(kind: str, team: str = "T111", **fields) -> dict:
    return {
        "type": "event_callback",
        "team_id": team,
        "api_app_id": "A111",
        "event_id": f"Ev-{kind}",
        "event_time": 1,
        "event": {"type": kind, **fields},
    }


def add_channels(engine) -> None:
    with Session(engine) as session:
        session.add(Channel(platform="slack", team_id="T111", channel_ref="C111", name="#a"))
        session.add(Channel(platform="slack", team_id="T222", channel_ref="C222", name="#b"))
        session.commit()


def statuses(engine) -> dict[str, str]:
    with Session(engine) as session:
        return {c.team_id: c.status for c in session.exec(select(Channel))}


def wait_until(check, seconds: float = 10.0) -> bool:
    for _ in range(int(seconds / 0.05)):
        if check():
            return True
        threading.Event().wait(0.05)
    return check()


def serve(app):
    return start_http(app, host="127.0.0.1", port=0)


@pytest.fixture
def oauth(settings, engine, fake):
    settings.slack_client_id = "111.222"
    settings.slack_client_secret = SecretStr("client-secret")
    settings.slack_signing_secret = SecretStr(SIGNING_SECRET)
    settings.slack_api_url = fake.api_url
    services = Services(settings=settings, engine=engine)
    store = build_installation_store(services)
    for team in ("T111", "T222"):
        store.save(
            Installation(
                app_id="A111",
                team_id=team,
                bot_token=f"xoxb-{team}",
                bot_id="B1",
                bot_user_id="UBOT",
                user_id="W1",
            )
        )
    add_channels(engine)
    stop, port = serve(build_slack_app(services, installation_store=store))
    yield f"http://127.0.0.1:{port}/slack/events", store
    stop()


def test_uninstalling_stops_that_workspace_and_forgets_its_tokens(engine, oauth):
    url, store = oauth
    assert post(url, event("app_uninstalled")).status_code == 200
    assert wait_until(lambda: statuses(engine)["T111"] == "gone")
    assert wait_until(lambda: store.find_bot(enterprise_id=None, team_id="T111") is None)
    assert statuses(engine)["T222"] == "active"  # the other workspace is untouched
    assert store.find_bot(enterprise_id=None, team_id="T222") is not None


def test_a_revoked_bot_token_stops_the_workspace(engine, oauth):
    url, store = oauth
    revoked = event("tokens_revoked", tokens={"oauth": [], "bot": ["UBOT"]})
    assert post(url, revoked).status_code == 200
    assert wait_until(lambda: statuses(engine)["T111"] == "gone")
    assert wait_until(lambda: store.find_bot(enterprise_id=None, team_id="T111") is None)


def test_installing_again_brings_the_channels_back(engine, oauth):
    url, store = oauth
    post(url, event("app_uninstalled"))
    assert wait_until(lambda: statuses(engine)["T111"] == "gone")
    store.save(Installation(app_id="A111", team_id="T111", bot_token="xoxb-new", user_id="W1"))
    assert statuses(engine)["T111"] == "active"


def test_single_workspace_uninstall_stops_its_briefs(settings, engine, fake):
    settings.slack_bot_token = SecretStr("xoxb-test")
    settings.slack_signing_secret = SecretStr(SIGNING_SECRET)
    settings.slack_api_url = fake.api_url
    add_channels(engine)
    stop, port = serve(build_slack_app(Services(settings=settings, engine=engine)))
    try:
        assert post(f"http://127.0.0.1:{port}/slack/events", event("app_uninstalled")).is_success
        assert wait_until(lambda: statuses(engine)["T111"] == "gone")
    finally:
        stop()
