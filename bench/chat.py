"""Command layer and Slack speed: parsing, dispatch, Block Kit rendering, and the Slack ack time
with a deliberately slow core (the 3-second rule).

Run: ``.venv/bin/python -m bench.chat [--slow-core 2.0] [--requests 20]``. Prints figures;
asserts nothing. The core functions are replaced by hand-written fakes (as in the tests), the
Slack Web API by the local fake server; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import SecretStr

from bot.core import db
from bot.core.config import Settings
from bot.core.services import Services
from handlers.chat.parser import parse
from handlers.chat.replies import CommandRequest
from handlers.chat.router import dispatch
from handlers.slack_app.render import render_brief


def timed(func: Callable[[], object], repeat: int) -> float:
    """Mean seconds per call over ``repeat`` calls."""
    began = time.perf_counter()
    for _ in range(repeat):
        func()
    return (time.perf_counter() - began) / repeat


def bench_parse() -> None:
    lines = ['subscribe --me "open-source AI"', "ask what's Dana’s view on “open weights”?"]
    per = timed(lambda: [parse(line) for line in lines], 5000) / len(lines)
    print(f"parse            {per * 1e6:8.1f} µs/command   ({1 / per:,.0f} commands/s)")


def bench_render() -> None:
    from tests.fakes.chat_core import sample_brief

    normal = sample_brief(5)
    hostile = sample_brief(10, text="<!channel> & " * 800, quote="<@U1> " * 800)
    print(f"render_brief 5   {timed(lambda: render_brief(normal), 2000) * 1e3:8.3f} ms")
    print(f"render_brief 10 long+hostile {timed(lambda: render_brief(hostile), 200) * 1e3:8.3f} ms")


def bench_dispatch(services: Services) -> None:
    def run(text: str) -> None:
        request = CommandRequest(platform="console", channel_ref="c", user_id="u", text=text)
        dispatch(services, request)

    counter = iter(range(10**9))
    print(f"dispatch help    {timed(lambda: run('help'), 500) * 1e3:8.3f} ms")
    print(f"dispatch topics  {timed(lambda: run('topics'), 200) * 1e3:8.3f} ms  (SQLite)")
    sub = timed(lambda: run(f"subscribe topic {next(counter)}"), 200)
    print(f"dispatch subscribe {sub * 1e3:6.3f} ms  (SQLite write)")


def bench_slack_ack(services: Services, slow_core: float, requests: int) -> None:
    """Time from POST /slack/events to Slack's HTTP 200 while the core takes ``slow_core`` s."""
    import pytest

    from handlers.slack_app.app import build_slack_app
    from handlers.slack_app.runner import start_http
    from tests.fakes import chat_core
    from tests.fakes.slack_requests import SIGNING_SECRET, post
    from tests.fakes.slack_server import FakeSlack

    fake = FakeSlack().start()
    services.settings.slack_bot_token = SecretStr("xoxb-bench")
    services.settings.slack_signing_secret = SecretStr(SIGNING_SECRET)
    services.settings.slack_api_url = fake.api_url
    patch = pytest.MonkeyPatch()

    def slow_answer(*args: object, **kwargs: object) -> object:
        time.sleep(slow_core)
        return chat_core.sample_answer()

    chat_core.install(patch, "bot.ask.answers.answer_question", slow_answer)
    app = build_slack_app(services)
    stop, port = start_http(app, host="127.0.0.1", port=0)
    body = {"team_id": "T1", "channel_id": "C1", "user_id": "U1", "command": "/podbrief"}
    body |= {"text": "ask why?", "response_url": fake.url + "/respond/b"}
    acks = []
    try:
        for _ in range(requests):
            began = time.perf_counter()
            post(f"http://127.0.0.1:{port}/slack/events", body)
            acks.append(time.perf_counter() - began)
        began = time.perf_counter()
        fake.wait_for("respond", requests, timeout=slow_core * requests + 30)
        drained = time.perf_counter() - began
    finally:
        stop()
        fake.stop()
        patch.undo()
    p95 = sorted(acks)[int(0.95 * (len(acks) - 1))]
    print(
        f"slack ack        {statistics.median(acks) * 1e3:8.1f} ms median, {p95 * 1e3:.1f} ms p95 "
        f"(core takes {slow_core:.1f} s; Slack's limit is 3,000 ms)"
    )
    print(f"slack answers    all {requests} delivered via response_url {drained:.1f} s after acks")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--slow-core", type=float, default=2.0)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        settings = Settings(_env_file=None, database_url=url)
        engine = db.create_db_engine(url)
        db.upgrade(engine)
        services = Services(settings=settings, engine=engine)
        bench_parse()
        bench_render()
        bench_dispatch(services)
        bench_slack_ack(services, args.slow_core, args.requests)
        engine.dispose()


if __name__ == "__main__":
    main()
