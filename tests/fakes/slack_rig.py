"""A whole Slack app under test: Bolt over real HTTP, a fake Slack Web API, a faked core."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import SecretStr
from slack_bolt import App

from bot.core.services import Services
from handlers.slack_app.app import build_slack_app
from handlers.slack_app.runner import start_http
from tests.fakes import chat_core
from tests.fakes.chat_core import CoreCalls
from tests.fakes.slack_requests import SIGNING_SECRET
from tests.fakes.slack_server import FakeSlack


@dataclass
class Rig:
    fake: FakeSlack
    app: App
    url: str
    services: Services
    core: CoreCalls

    def drain(self) -> None:
        """Wait until every listener Bolt started in the background has finished."""
        self.app.listener_runner.listener_executor.shutdown(wait=True)


def slack_rig(engine, settings, monkeypatch) -> Iterator[Rig]:
    """A running Slack app over HTTP, its Web API on a FakeSlack, the core faked and recorded."""
    fake = FakeSlack().start()
    settings.slack_bot_token = SecretStr("xoxb-test")
    settings.slack_signing_secret = SecretStr(SIGNING_SECRET)
    settings.slack_api_url = fake.api_url
    services = Services(settings=settings, engine=engine)
    core = CoreCalls()
    chat_core.install_all(monkeypatch, core)
    app = build_slack_app(services)
    stop, port = start_http(app, host="127.0.0.1", port=0)
    yield Rig(fake, app, f"http://127.0.0.1:{port}/slack/events", services, core)
    stop()
    fake.stop()
