"""A tiny scripted JSON HTTP server on 127.0.0.1 that records every request.

The AssemblyAI and OpenAI fakes build on it: the real SDKs talk HTTP to it, tests script
answers (status, body, headers) per route and read back what was asked.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Scripted:
    """One scripted answer: a status, a JSON (or raw text) body and headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Responder = Callable[[Recorded], Scripted]


class LoopbackServer:
    """Routes ``(METHOD, path-prefix)`` to scripted answers, then to a default responder."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.scripts: dict[tuple[str, str], deque[Scripted]] = defaultdict(deque)
        self.defaults: dict[tuple[str, str], Responder] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # --- scripting ---------------------------------------------------------------------------
    def script(self, method: str, prefix: str, *answers: Scripted) -> None:
        """Queue answers for the next requests to ``method prefix…`` (then the default)."""
        self.scripts[(method, prefix)].extend(answers)

    def calls(self, method: str, prefix: str) -> list[Recorded]:
        """Recorded requests matching ``method`` and path ``prefix``."""
        return [r for r in self.requests if r.method == method and r.path.startswith(prefix)]

    # --- lifecycle ---------------------------------------------------------------------------
    def start(self) -> LoopbackServer:
        """Listen on an ephemeral 127.0.0.1 port in a daemon thread."""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- dispatch ----------------------------------------------------------------------------
    def answer(self, request: Recorded) -> Scripted:
        with self._lock:
            self.requests.append(request)
            for (method, prefix), queue in self.scripts.items():
                if method == request.method and request.path.startswith(prefix) and queue:
                    return queue.popleft()
        for (method, prefix), responder in self.defaults.items():
            if method == request.method and request.path.startswith(prefix):
                return responder(request)
        return Scripted(404, {"error": f"no route for {request.method} {request.path}"})


def _handler_for(server: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
            recorded = Recorded(self.command, self.path, dict(self.headers.items()), body)
            reply = server.answer(recorded)
            data = (
                reply.body.encode()
                if isinstance(reply.body, str)
                else json.dumps(reply.body).encode()
            )
            self.send_response(reply.status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = _serve

        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

    return Handler
