"""The Slack HTTP surface under hostile requests: plain refusals, no bodies in the log."""

from __future__ import annotations

import json
import logging
import socket
from urllib.parse import urlencode

import httpx
import pytest
from pydantic import SecretStr

from bot.core.services import Services
from handlers.slack_app.app import build_slack_app
from handlers.slack_app.runner import start_http
from tests.fakes.slack_requests import SIGNING_SECRET, post, signed_headers
from tests.fakes.slack_server import FakeSlack

MARK = "unsigned-body-marker"


@pytest.fixture
def events_url(settings, engine):
    fake = FakeSlack().start()
    settings.slack_bot_token = SecretStr("xoxb-test")
    settings.slack_signing_secret = SecretStr(SIGNING_SECRET)
    settings.slack_api_url = fake.api_url
    stop, port = start_http(
        build_slack_app(Services(settings=settings, engine=engine)), host="127.0.0.1", port=0
    )
    yield f"http://127.0.0.1:{port}/slack/events"
    stop()
    fake.stop()


def test_an_oversized_unsigned_body_is_refused_before_anything_reads_it(events_url, caplog):
    caplog.set_level(logging.DEBUG)
    port = int(events_url.split(":")[2].split("/")[0])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 104857600\r\n\r\n" + MARK.encode() * 100
        )
        reply = sock.recv(4096).decode()
    assert reply.startswith("HTTP/1.0 413") or reply.startswith("HTTP/1.1 413")
    assert MARK not in caplog.text
    refused = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refused) == 1 and "104857600 bytes" in refused[0].getMessage()


def test_a_bad_signature_logs_the_line_but_never_the_body(events_url, caplog):
    caplog.set_level(logging.DEBUG)
    body = json.dumps({"type": "event_callback", "text": MARK * 50})
    reply = httpx.post(
        events_url,
        content=body,
        headers={"Content-Type": "application/json", **signed_headers(body, secret="wrong")},
    )
    assert reply.status_code == 401
    assert MARK not in caplog.text
    assert "Invalid request signature" in caplog.text and "chars withheld" in caplog.text


@pytest.mark.parametrize("stamp", ["soon", "12abc", "", "-5", "1e9"])
def test_a_timestamp_that_is_not_a_number_is_401_not_a_traceback(events_url, caplog, stamp):
    reply = httpx.post(
        events_url,
        json={"type": "event_callback"},
        headers={"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=00"},
    )
    assert reply.status_code == 401
    assert "Traceback" not in caplog.text and not any(r.exc_info for r in caplog.records)


@pytest.mark.parametrize("payload", ["{not json", "[1, 2]", '"text"', "x" * 5000])
def test_malformed_interactive_payload_is_400(events_url, caplog, payload):
    body = urlencode({"payload": payload})
    reply = httpx.post(
        events_url,
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", **signed_headers(body)},
    )
    assert reply.status_code == 400
    assert payload not in caplog.text


def test_a_signed_slash_command_still_goes_through(events_url):
    reply = post(events_url, {"command": "/podbrief", "text": "help", "team_id": "T1"})
    assert reply.status_code == 200
