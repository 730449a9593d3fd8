"""A tiny threaded HTTP server on 127.0.0.1 that records every request (base for API fakes)."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class RecordingServer:
    """Start with ``with Server() as server:``; subclasses implement ``handle``."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: list[tuple[str, str, dict]] = []
        self.after_post: Callable[[], None] | None = None  # runs after a message is stored
        self._httpd: ThreadingHTTPServer | None = None

    # -- to override ------------------------------------------------------------------------
    def handle(self, method: str, path: str, query: dict, body: dict, headers) -> tuple:
        """Return (status, json_body) or (status, json_body, extra_headers)."""
        return 404, {"message": f"no route for {method} {path}"}

    # -- plumbing ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> RecordingServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def _serve(self, method: str) -> None:
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if len(raw) < length:
                    # The client died mid-request (the crash tests kill it on purpose): like a
                    # real API, never act on a body that did not fully arrive.
                    self.close_connection = True
                    return
                body = _decode(raw, self.headers.get("Content-Type", ""))
                with server.lock:
                    server.requests.append((method, parts.path, body))
                    result = server.handle(method, parts.path, query, body, self.headers)
                status, payload, *extra = result
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (extra[0] if extra else {}).items():
                    self.send_header(key, value)
                self.end_headers()
                # The client may have died mid-request (the crash tests do this on purpose).
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def __enter__(self) -> RecordingServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _decode(raw: bytes, content_type: str) -> dict:
    if not raw:
        return {}
    if "json" in content_type:
        return json.loads(raw)
    return {k: v[-1] for k, v in parse_qs(raw.decode()).items()}
