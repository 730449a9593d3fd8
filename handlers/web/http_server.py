"""A small threaded WSGI server for the web role (Slack's HTTP handler, AssemblyAI's webhook)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

log = logging.getLogger(__name__)

WSGIApp = Callable[[dict, Callable[..., Any]], Iterable[bytes]]


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # route through logging
        log.debug("http: " + format, *args)


def serve_wsgi(app: WSGIApp, *, host: str, port: int, name: str) -> tuple[Callable[[], None], int]:
    """Serve ``app`` in a background thread; returns the stop function and the bound port."""
    server = make_server(
        host, port, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
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
