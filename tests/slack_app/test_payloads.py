"""Slack's own payload fixtures (shared corpus) go through the handlers without error."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from handlers.slack_app.events import episodes_in_message, mention_text
from handlers.slack_app.requests import slash_request, team_of
from tests.fakes.slack_requests import post
from tests.fakes.slack_rig import Rig, slack_rig


@pytest.fixture
def rig(engine, settings, monkeypatch) -> Iterator[Rig]:
    yield from slack_rig(engine, settings, monkeypatch)


def fixtures(corpus: Path) -> list[tuple[str, dict[str, Any]]]:
    folder = corpus / "slack" / "bolt-python"
    found = [(p.name, json.loads(p.read_text())) for p in sorted(folder.glob("*.json"))]
    for path in folder.glob("*.form-urlencoded.txt"):
        found.append((path.name, dict(parse_qsl(path.read_text().strip()))))
    return found


def local(value: Any, fake_url: str) -> Any:
    """The payload with every response_url pointed at the fake (tests never reach Slack)."""
    if isinstance(value, dict):
        return {
            k: fake_url + "/respond/corpus" if k == "response_url" else local(v, fake_url)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [local(v, fake_url) for v in value]
    if isinstance(value, str) and value.startswith(("https://hooks.slack.com/", "http")):
        return fake_url + "/respond/corpus"
    return value


def test_request_parsing_accepts_every_fixture(corpus):
    payloads = fixtures(corpus)
    assert len(payloads) > 50
    for name, body in payloads:
        assert isinstance(team_of(body), str), name
        if "command" in body:
            request = slash_request(body, is_admin=True)
            assert request.platform == "slack" and request.channel_ref, name
        event = body.get("event") or {}
        if event.get("type") == "app_mention":
            assert mention_text(event["text"]).split()[0] in ("ask", "help"), name
        if event.get("type") == "message":
            assert episodes_in_message(event) == [], name


def test_every_fixture_goes_through_the_bolt_pipeline_without_error(rig, corpus, caplog):
    statuses = {}
    with caplog.at_level(logging.WARNING):
        for name, body in fixtures(corpus):
            body = local(body, rig.fake.url)
            if "command" in body:
                body["command"] = "/podbrief"  # their command name, our handler
            statuses[name] = post(rig.url, body).status_code
        rig.drain()
    assert {status for status in statuses.values()} <= {200, 404}, statuses
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
    assert statuses["events_url_verification__event_body.json"] == 200
    # the mentions were answered and the slash commands replied to; the corpus's only
    # app_home_opened is for the Messages tab, which leaves the Home tab alone
    # (personal replies, e.g. a private answer, go ephemerally to the asker)
    answered = rig.fake.of("chat.postMessage") + rig.fake.of("chat.postEphemeral")
    assert len(answered) >= 4
    assert all(call.body.get("user") for call in rig.fake.of("chat.postEphemeral"))
    assert len(rig.fake.of("respond")) >= 3
    assert rig.fake.of("views.publish") == []
