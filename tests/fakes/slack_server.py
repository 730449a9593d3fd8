"""A loopback fake of the Slack Web API (and response_url endpoints) that records every call.

Point slack_sdk at it with ``WebClient(base_url=server.api_url)`` (or SLACK_API_URL).

    server = FakeSlack().start()
    server.responses["chat.postMessage"] = {"ok": True, "ts": "1.0"}   # per-method canned reply
    ...                                                                # run the code under test
    server.wait_for("chat.postMessage")                                # lazy listeners finish
    server.calls                                                        # every request, in order
    server.stop()

Paths under ``/api/METHOD`` are Web API calls (``call.method == METHOD``); anything else (a
``response_url`` such as ``/respond/1``) is recorded with ``call.method == "respond"``.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

DEFAULT_RESPONSES: dict[str, dict[str, Any]] = {
    "auth.test": {
        "ok": True,
        "url": "https://podbrief-test.slack.com/",
        "team": "Test",
        "user": "podbrief",
        "team_id": "T111",
        "user_id": "UBOT",
        "bot_id": "BBOT",
    },
    "chat.postMessage": {"ok": True, "channel": "C111", "ts": "1700000000.000100"},
    "chat.postEphemeral": {"ok": True, "message_ts": "1700000000.000200"},
    "views.publish": {"ok": True},
    "views.open": {"ok": True},
    "users.info": {"ok": True, "user": {"id": "W111", "is_admin": False, "is_owner": False}},
    "conversations.replies": {"ok": True, "messages": []},
}


@dataclass
class Call:
    """One recorded request."""

    method: str  # Web API method ("chat.postMessage") or "respond" for response_url posts
    path: str
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)

    def json_field(self, name: str) -> Any:
        """A field that slack_sdk may send JSON-encoded inside a form body (e.g. ``blocks``)."""
        value = self.body.get(name)
        return json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.responses: dict[str, dict[str, Any]] = dict(DEFAULT_RESPONSES)
        self._changed = threading.Condition()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "call start() first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def start(self) -> FakeSlack:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        serve = self._server.serve_forever
        threading.Thread(target=serve, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def record(self, call: Call) -> dict[str, Any]:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        return self.responses.get(call.method, {"ok": True})

    def of(self, method: str) -> list[Call]:
        """The recorded calls of one method."""
        return [call for call in self.calls if call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Block until ``count`` calls of ``method`` arrived (AssertionError on timeout)."""
        with self._changed:
            done = self._changed.wait_for(lambda: len(self.of(method)) >= count, timeout)
        assert done, f"expected {count} {method} call(s), got {[c.method for c in self.calls]}"
        return self.of(method)


def _handler_for(server: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8")
            path = urlsplit(self.path).path
            method = path[len("/api/") :] if path.startswith("/api/") else "respond"
            call = Call(method, path, _parse(raw, self.headers.get("Content-Type", "")))
            call.headers = {k.lower(): v for k, v in self.headers.items()}
            self._reply(server.record(call))

        do_GET = do_POST

        def _reply(self, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    return Handler


def _parse(raw: str, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if "json" in content_type:
        return json.loads(raw)
    return dict(parse_qsl(raw, keep_blank_values=True))
