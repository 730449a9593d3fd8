"""The web role serves AssemblyAI's webhook: beside Slack's HTTP handler, or on its own."""

from __future__ import annotations

import socket
import threading

import httpx
import pytest
from pydantic import SecretStr
from sqlmodel import Session

from bot.core.config import Settings
from bot.core.models import Episode, Podcast
from bot.core.services import Services
from handlers.runtime.process import run_role
from handlers.slack_app.app import build_slack_app
from handlers.slack_app.runner import start_http
from handlers.web.assemblyai_webhook import start_webhook_server
from tests.fakes.slack_requests import SIGNING_SECRET
from tests.fakes.slack_server import FakeSlack

HOOK = "https://bot.example.com/hooks/assemblyai"
SECRET = {"X-Podbrief-Webhook-Secret": "s3cret"}
DONE = {"transcript_id": "tx_5", "status": "completed"}


def add_transcribing(engine) -> None:
    with Session(engine) as session:
        podcast = Podcast(url="https://feeds.example.com/a.xml")
        session.add(podcast)
        session.flush()
        session.add(
            Episode(
                podcast_id=podcast.id,
                identity="guid:1",
                assemblyai_id="tx_5",
                status="transcribing",
            )
        )
        session.commit()


def status_of(engine) -> str:
    with Session(engine) as session:
        return session.get(Episode, 1).status


def webhook_settings(**extra) -> Settings:
    return Settings(
        _env_file=None,
        worker_id="web",
        assemblyai_webhook_url=HOOK,
        assemblyai_webhook_secret="s3cret",
        slack_http_host="127.0.0.1",
        shutdown_grace_s=2,
        **extra,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_slack_http_server_also_serves_the_webhook(engine):
    add_transcribing(engine)
    fake = FakeSlack().start()
    try:
        settings = webhook_settings(
            slack_bot_token=SecretStr("xoxb-test"),
            slack_signing_secret=SecretStr(SIGNING_SECRET),
            slack_api_url=fake.api_url,
        )
        services = Services(settings=settings, engine=engine)
        stop, port = start_http(
            build_slack_app(services), host="127.0.0.1", port=0, services=services
        )
        try:
            base = f"http://127.0.0.1:{port}"
            assert httpx.post(f"{base}/hooks/assemblyai", json=DONE).status_code == 401
            reply = httpx.post(f"{base}/hooks/assemblyai", json=DONE, headers=SECRET)
            assert reply.status_code == 200 and reply.json() == {"result": "requeued"}
            # Slack's own path is still Slack's: an unsigned request is refused by Bolt.
            assert httpx.post(f"{base}/slack/events", json={}).status_code == 401
        finally:
            stop()
    finally:
        fake.stop()
    assert status_of(engine) == "pending"


def test_webhook_alone_answers_its_path_and_404_elsewhere(engine):
    add_transcribing(engine)
    settings = webhook_settings(port=0)
    stop, port = start_webhook_server(Services(settings=settings, engine=engine))
    try:
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/slack/events").status_code == 404
        reply = httpx.post(f"{base}/hooks/assemblyai", json=DONE, headers=SECRET)
        assert reply.json() == {"result": "requeued"}
    finally:
        stop()
    assert status_of(engine) == "pending"


@pytest.mark.parametrize("slack", [{}, {"slack_bot_token": "xoxb", "slack_app_token": "xapp"}])
def test_web_role_without_slack_http_starts_a_webhook_server(engine, monkeypatch, slack):
    import handlers.slack_app.runner as slack_runner

    # Socket Mode needs no listening port: stand in for the connection, keep the mode real.
    monkeypatch.setattr(slack_runner, "start_slack", lambda services: lambda: None)
    add_transcribing(engine)
    port = free_port()
    services = Services(settings=webhook_settings(port=port, **slack), engine=engine)
    stop, said, result = threading.Event(), [], []
    thread = threading.Thread(
        target=lambda: result.append(
            run_role(services, "web", stop=stop, publishers={}, say=said.append)
        )
    )
    thread.start()
    try:
        reply = None
        for _ in range(100):  # bounded wait for the server thread
            try:
                reply = httpx.post(
                    f"http://127.0.0.1:{port}/hooks/assemblyai", json=DONE, headers=SECRET
                )
                break
            except httpx.ConnectError:
                threading.Event().wait(0.05)
        assert reply is not None and reply.json() == {"result": "requeued"}
    finally:
        stop.set()
        thread.join(timeout=25)
    assert "assemblyai-webhook" in result[0].started
    assert not any("nothing to serve" in line for line in said)
    assert status_of(engine) == "pending"


def test_a_taken_port_is_reported_and_the_rest_still_runs(engine, caplog):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        services = Services(settings=webhook_settings(port=port), engine=engine)
        stop, result = threading.Event(), []
        thread = threading.Thread(
            target=lambda: result.append(
                run_role(services, "web", stop=stop, publishers={}, say=lambda _line: None)
            )
        )
        thread.start()
        stop.set()
        thread.join(timeout=25)
    assert result and "assemblyai-webhook" not in result[0].started
    assert "AssemblyAI webhook not served" in caplog.text


def echo_app(environ, start_response):
    body = environ["wsgi.input"].read()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"got %d" % len(body)]


@pytest.fixture
def tight_server(monkeypatch):
    """The real server with a short read timeout and room for two connections."""
    import handlers.web.http_server as http_server

    monkeypatch.setattr(http_server._QuietHandler, "timeout", 0.5)
    monkeypatch.setattr(http_server._ThreadingWSGIServer, "max_open", 2)
    stop, port = http_server.serve_wsgi(
        echo_app, host="127.0.0.1", port=0, name="test-http", max_body=1000
    )
    yield port
    stop()


def stalled(port: int) -> socket.socket:
    """A client that promises a body and never sends it."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
    return sock


def test_bodies_within_the_cap_reach_the_app_and_bigger_ones_get_413(tight_server):
    base = f"http://127.0.0.1:{tight_server}"
    assert httpx.post(f"{base}/x", content=b"a" * 1000).text == "got 1000"
    assert httpx.post(f"{base}/x", content=b"a" * 1001).status_code == 413


def test_a_stalled_client_is_dropped_at_the_read_timeout(tight_server):
    with stalled(tight_server) as sock:
        reply = sock.recv(4096)  # the server answers 408 and closes; the socket's own limit is 10 s
    assert b" 408 " in reply.split(b"\r\n")[0]


def test_connections_beyond_the_cap_are_closed_and_the_server_recovers(tight_server):
    held = [stalled(tight_server), stalled(tight_server)]
    try:
        threading.Event().wait(0.1)  # both accepted and holding their threads
        with socket.create_connection(("127.0.0.1", tight_server), timeout=10) as extra:
            try:
                extra.sendall(b"GET /x HTTP/1.1\r\nHost: x\r\n\r\n")
                answer = extra.recv(4096)
            except ConnectionError:  # a reset is as good as a close
                answer = b""
            assert answer == b""  # closed at once, no thread spent on it
    finally:
        for sock in held:
            sock.close()
    for _ in range(100):  # bounded wait for the stalled ones to time out and free their slots
        try:
            reply = httpx.post(f"http://127.0.0.1:{tight_server}/x", content=b"ok")
            if reply.status_code == 200:
                break
        except httpx.TransportError:
            pass
        threading.Event().wait(0.1)
    assert reply.text == "got 2"
