"""A local HTTP server on 127.0.0.1 that serves feeds the way real publishers misbehave.

Each path maps to a ``Route`` (status, body, validators, redirect, stall). Requests are
recorded, so tests can assert what podbrief sent (User-Agent, conditional headers).
"""

from __future__ import annotations

import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    """How one path answers."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    location: str | None = None  # for 3xx
    stall_after: int | None = None  # send this many body bytes, then hang
    delay: float = 0.0  # seconds to wait before answering (to overlap requests)
    content_type: str = "application/rss+xml"


@dataclass
class SeenRequest:
    path: str
    headers: dict[str, str]


class FeedServer:
    """A threaded HTTP/1.1 server; use as a context manager or call start()/stop()."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[SeenRequest] = []
        self.release = threading.Event()
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        # a short poll interval keeps shutdown (one per test) from costing half a second
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``: the entry an allowlist needs."""
        return f"127.0.0.1:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        return f"http://{self.host}{path}"

    def wrap_tls(self, context: ssl.SSLContext) -> None:
        """Serve HTTPS instead of HTTP (call before start)."""
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def seen(self, path: str) -> list[SeenRequest]:
        return [r for r in self.requests if r.path == path]

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                server.requests.append(SeenRequest(self.path, headers))
                route = server.routes.get(self.path)
                if route is None:
                    self._send(404, b"not found", {})
                    return
                with server._lock:
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    if route.delay:
                        server.release.wait(route.delay)
                    self._answer(route, headers)
                finally:
                    with server._lock:
                        server.in_flight -= 1

            def _answer(self, route: Route, headers: dict[str, str]) -> None:
                validators = {}
                if route.etag:
                    validators["ETag"] = route.etag
                if route.last_modified:
                    validators["Last-Modified"] = route.last_modified
                if (route.etag and headers.get("if-none-match") == route.etag) or (
                    route.last_modified and headers.get("if-modified-since") == route.last_modified
                ):
                    self._send(304, b"", validators)
                    return
                extra = {"Content-Type": route.content_type, **validators, **route.headers}
                if route.location:
                    extra["Location"] = route.location
                if route.stall_after is not None:
                    self._stall(route, extra)
                    return
                self._send(route.status, route.body, extra)

            def _stall(self, route: Route, extra: dict[str, str]) -> None:
                self.send_response(route.status)
                for key, value in extra.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(route.body) + 1000))
                self.end_headers()
                self.wfile.write(route.body[: route.stall_after])
                self.wfile.flush()
                server.release.wait(10)
                self.close_connection = True

            def _send(self, status: int, body: bytes, extra: dict[str, str]) -> None:
                self.send_response(status)
                for key, value in extra.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body and status != 304:
                    self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        return Handler
