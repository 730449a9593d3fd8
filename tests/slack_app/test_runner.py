"""Running Slack: mode selection, the HTTP server, and OAuth installs kept in our database."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import inspect

from bot.core.errors import InvalidInput
from bot.core.services import Services
from handlers.slack_app.app import build_slack_app
from handlers.slack_app.installs import build_installation_store
from handlers.slack_app.runner import slack_mode, start_http, start_slack
from tests.fakes.slack_requests import SIGNING_SECRET, post
from tests.fakes.slack_server import FakeSlack


@pytest.fixture
def fake():
    server = FakeSlack().start()
    yield server
    server.stop()


@pytest.mark.parametrize(
    ("env", "mode"),
    [
        ({}, None),
        ({"slack_bot_token": "xoxb", "slack_app_token": "xapp"}, "socket"),
        ({"slack_bot_token": "xoxb", "slack_signing_secret": "s"}, "http"),
        (
            {"slack_client_id": "1.2", "slack_client_secret": "c", "slack_signing_secret": "s"},
            "oauth",
        ),
        ({"slack_client_id": "1.2", "slack_client_secret": "c"}, None),
        ({"slack_bot_token": "x", "slack_client_id": "1", "slack_client_secret": "c"}, None),
        (
            {"slack_bot_token": "x", "slack_signing_secret": "s", "slack_client_id": "1"}
            | {"slack_client_secret": "c"},
            "http",
        ),
    ],
)
def test_slack_mode(settings, env, mode):
    for key, value in env.items():
        setattr(settings, key, value if key == "slack_client_id" else SecretStr(value))
    assert slack_mode(settings) == mode


def test_start_slack_without_credentials_says_what_is_missing(settings, engine):
    with pytest.raises(InvalidInput, match="SLACK_BOT_TOKEN"):
        start_slack(Services(settings=settings, engine=engine))


def test_start_slack_http_mode_serves_and_stops(settings, engine, fake):
    settings.slack_bot_token = SecretStr("xoxb-test")
    settings.slack_signing_secret = SecretStr(SIGNING_SECRET)
    settings.slack_api_url = fake.api_url
    settings.slack_http_host, settings.port = "127.0.0.1", 0
    stop = start_slack(Services(settings=settings, engine=engine))
    try:
        assert fake.of("auth.test")  # the bot token was checked against SLACK_API_URL
    finally:
        stop()


def oauth_services(settings, engine, fake) -> Services:
    settings.slack_client_id = "111.222"
    settings.slack_client_secret = SecretStr("client-secret")
    settings.slack_signing_secret = SecretStr(SIGNING_SECRET)
    settings.slack_api_url = fake.api_url
    return Services(settings=settings, engine=engine)


def test_oauth_mode_keeps_installations_in_our_database(settings, any_engine, fake):
    services = oauth_services(settings, any_engine, fake)
    app = build_slack_app(services)
    tables = set(inspect(any_engine).get_table_names())
    assert {"slack_installations", "slack_bots", "slack_oauth_states"} <= tables
    stop, port = start_http(app, host="127.0.0.1", port=0)
    try:
        page = httpx.get(f"http://127.0.0.1:{port}/slack/install")
        assert page.status_code == 200
        assert "client_id=111.222" in page.text and "chat:write,commands" in page.text
        assert page.headers.get("set-cookie", "").startswith("slack-app-oauth-state=")
    finally:
        stop()


def test_oauth_mode_uses_the_installed_workspace_token(settings, engine, fake):
    services = oauth_services(settings, engine, fake)
    store = build_installation_store(services)
    store.save(
        Installation(
            app_id="A111",
            team_id="T111",
            bot_token="xoxb-installed",
            bot_id="B1",
            bot_user_id="UBOT",
            user_id="W111",
        )
    )
    app = build_slack_app(services)
    stop, port = start_http(app, host="127.0.0.1", port=0)
    try:
        body = {
            "token": "t",
            "team_id": "T111",
            "channel_id": "C111",
            "user_id": "W111",
            "command": "/podbrief",
            "text": "topics",
            "response_url": fake.url + "/respond/9",
        }
        url = f"http://127.0.0.1:{port}/slack/events"
        assert post(url, body).status_code == 200
        [reply] = fake.wait_for("respond")
        assert "Nothing followed yet" in reply.body["text"]
        unknown = post(url, body | {"team_id": "T999"})
        assert unknown.status_code in (200, 401)
        assert [c.headers.get("authorization") for c in fake.of("auth.test")] == [
            "Bearer xoxb-installed"
        ] * len(fake.of("auth.test"))
    finally:
        stop()


def test_socket_mode_end_to_end_acks_then_answers(settings, engine, fake, monkeypatch):
    from tests.fakes.chat_core import CoreCalls, install_all
    from tests.fakes.socket_mode_server import FakeSocketMode

    install_all(monkeypatch, CoreCalls())
    socket_server = FakeSocketMode().start()
    fake.responses["apps.connections.open"] = {"ok": True, "url": socket_server.url}
    settings.slack_bot_token = SecretStr("xoxb-test")
    settings.slack_app_token = SecretStr("xapp-test")
    settings.slack_api_url = fake.api_url
    stop = start_slack(Services(settings=settings, engine=engine))
    try:
        socket_server.wait_connected()
        assert fake.of("apps.connections.open")[0].headers["authorization"] == "Bearer xapp-test"
        payload = {
            "team_id": "T111",
            "channel_id": "C111",
            "user_id": "W111",
            "command": "/podbrief",
            "text": "subscribe open-source AI",
            "response_url": fake.url + "/respond/s",
        }
        socket_server.send(
            {"envelope_id": "env-1", "type": "slash_commands", "payload": payload}
            | {"accepts_response_payload": True}
        )
        assert socket_server.wait_for_ack("env-1")["envelope_id"] == "env-1"
        [reply] = fake.wait_for("respond")
        assert "Subscribed to “open-source AI”" in reply.body["text"]
    finally:
        stop()
        socket_server.stop()
