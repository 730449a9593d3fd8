"""WSGI adapter for AssemblyAI's completion callback, to mount beside the Slack HTTP handler.

``with_assemblyai_webhook(services, slack_wsgi)`` answers POSTs to the path of
ASSEMBLYAI_WEBHOOK_URL and passes every other request to ``slack_wsgi``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from bot.core.errors import PodbriefError
from bot.core.services import Services
from bot.transcripts.transcription import handle_assemblyai_webhook
from handlers.web.http_server import WSGIApp, serve_wsgi

log = logging.getLogger(__name__)

_MAX_BODY = 64 * 1024  # AssemblyAI's callback is a few hundred bytes


def with_assemblyai_webhook(services: Services, inner: WSGIApp) -> WSGIApp:
    """``inner`` plus the webhook route (unchanged when no webhook URL is configured)."""
    url = services.settings.assemblyai_webhook_url
    if not url:
        return inner
    path = urlsplit(url).path or "/"
    if services.settings.assemblyai_webhook_secret is None:
        # Called once at start-up: anyone who finds the URL can requeue jobs, so say so once.
        log.warning(
            "ASSEMBLYAI_WEBHOOK_SECRET is unset: the AssemblyAI webhook at %s is unauthenticated",
            path,
        )

    def app(environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != path:
            return inner(environ, start_response)
        status, body = webhook_response(services, environ)
        start_response(status, [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]

    return app


def webhook_response(services: Services, environ: dict) -> tuple[str, dict]:
    """The HTTP status and JSON body for one callback request."""
    if environ.get("REQUEST_METHOD") != "POST":
        return "405 Method Not Allowed", {"error": "POST only"}
    length = min(int(environ.get("CONTENT_LENGTH") or 0), _MAX_BODY)
    try:
        payload = json.loads(environ["wsgi.input"].read(length) or b"{}")
    except ValueError:
        return "400 Bad Request", {"error": "body is not JSON"}
    if not isinstance(payload, dict):
        return "400 Bad Request", {"error": "body must be a JSON object"}
    headers = {k[5:].replace("_", "-"): v for k, v in environ.items() if k.startswith("HTTP_")}
    try:
        outcome = handle_assemblyai_webhook(services, payload, headers)
    except PodbriefError as exc:
        log.warning("AssemblyAI webhook refused: %s", exc)
        return "401 Unauthorized", {"error": str(exc)}
    return "200 OK", {"result": outcome}


def start_webhook_server(services: Services) -> tuple[Callable[[], None], int]:
    """Serve only the webhook on SLACK_HTTP_HOST:PORT (Slack in Socket Mode, or no Slack).

    Returns the stop function and the bound port; other paths answer 404.
    """
    settings = services.settings
    app = with_assemblyai_webhook(services, _not_found)
    stop, port = serve_wsgi(app, host=settings.slack_http_host, port=settings.port, name="webhook")
    log.info("AssemblyAI webhook listening on %s:%s", settings.slack_http_host, port)
    return stop, port


def _not_found(environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("404 Not Found", [("Content-Type", "application/json")])
    return [b'{"error": "not found"}']
