"""A small threaded WSGI server for the web role (Slack's HTTP handler, AssemblyAI's webhook).

It is the process's public surface, so it holds the limits an unauthenticated client meets
first: a body cap (413 before any handler reads or logs a byte), a read timeout for clients
that stall, and a cap on connections in flight.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

log = logging.getLogger(__name__)

WSGIApp = Callable[[dict, Callable[..., Any]], Iterable[bytes]]

MAX_BODY = 1024 * 1024  # Slack's largest payloads (view submissions) are well under this
READ_TIMEOUT_S = 10.0
MAX_OPEN = 64  # connections served at once; more are closed at once, not queued on a thread


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    max_open = MAX_OPEN

    def server_activate(self) -> None:
        super().server_activate()
        self._open = threading.BoundedSemaphore(self.max_open)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._open.acquire(blocking=False):
            log.warning("http: %d connections open, refusing one more", self.max_open)
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._open.release()


class _QuietHandler(WSGIRequestHandler):
    timeout = READ_TIMEOUT_S  # socket timeout: a client that stops sending is dropped

    def log_message(self, format: str, *args: object) -> None:  # route through logging
        log.debug("http: " + format, *args)


def _status(code: str) -> tuple[str, list[tuple[str, str]], list[bytes]]:
    body = code.encode() + b"\n"
    return code, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))], [body]


def with_body_limit(app: WSGIApp, max_body: int = MAX_BODY) -> WSGIApp:
    """Read the whole body up front within ``max_body`` and the read timeout, then call ``app``.

    Oversized bodies get 413 and stalled ones 408 before ``app`` sees them; only the length and
    the reason reach the log, never the bytes.
    """

    def guarded(environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        refusal = _read_body(environ, max_body)
        if refusal is None:
            return app(environ, start_response)
        status, headers, body = _status(refusal)
        log.warning(
            "http: %s %s refused (%s, %s bytes declared)",
            environ.get("REQUEST_METHOD"),
            environ.get("PATH_INFO"),
            refusal,
            environ.get("CONTENT_LENGTH") or 0,
        )
        start_response(status, headers)
        return body

    return guarded


def _read_body(environ: dict, max_body: int) -> str | None:
    """Replace wsgi.input with the body read in full; the refusal status if it cannot be."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return "400 Bad Request"
    if length < 0:
        return "400 Bad Request"
    if length > max_body:
        return "413 Content Too Large"
    try:
        body = environ["wsgi.input"].read(length) if length else b""
    except TimeoutError:
        return "408 Request Timeout"
    if len(body) < length:
        return "400 Bad Request"
    environ["wsgi.input"] = io.BytesIO(body)
    return None


def serve_wsgi(
    app: WSGIApp, *, host: str, port: int, name: str, max_body: int = MAX_BODY
) -> tuple[Callable[[], None], int]:
    """Serve ``app`` in a background thread; returns the stop function and the bound port."""
    server = make_server(
        host,
        port,
        with_body_limit(app, max_body),
        server_class=_ThreadingWSGIServer,
        handler_class=_QuietHandler,
    )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name=name, daemon=True
    )
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return stop, server.server_address[1]
