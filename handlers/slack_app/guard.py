"""What stands between an unauthenticated HTTP client and Bolt: malformed requests are refused
with a plain status (never a 500 and a traceback), and no request body reaches a log line."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

log = logging.getLogger(__name__)

WSGIApp = Callable[[dict, Callable[..., Any]], Iterable[bytes]]
_BODY_IN_LOG = re.compile(r"(?is)\b(body\b:?\s*).*")


def slack_request_guard(app: WSGIApp) -> WSGIApp:
    """401 for a timestamp header that is not a number, 400 for ``payload=`` that is not a JSON
    object; everything else goes on to Bolt, which checks the signature."""

    def guarded(environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return app(environ, start_response)
        refusal = _refusal(environ)
        if refusal is None:
            return app(environ, start_response)
        status, reason = refusal
        log.warning("slack: %s refused: %s", environ.get("PATH_INFO"), reason)
        body = json.dumps({"error": reason}).encode()
        start_response(
            status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        )
        return [body]

    return guarded


def _refusal(environ: dict) -> tuple[str, str] | None:
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
    if timestamp is not None and not timestamp.strip().isdigit():
        return "401 Unauthorized", "invalid request"
    if "x-www-form-urlencoded" not in environ.get("CONTENT_TYPE", ""):
        return None
    raw = environ["wsgi.input"].read()
    environ["wsgi.input"] = io.BytesIO(raw)
    payload = parse_qs(raw.decode("utf-8", "replace")).get("payload")
    if payload is not None and not _is_json_object(payload[0]):
        return "400 Bad Request", "payload is not a JSON object"
    return None


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


class RedactBodies(logging.Filter):
    """Cut request bodies out of Bolt's log lines (it logs a refused request's body at INFO),
    keeping the line and the body's length."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        match = _BODY_IN_LOG.search(message)
        if match:
            withheld = len(message) - match.start(1) - len(match[1])
            record.msg = f"{message[: match.end(1)]}<{withheld} chars withheld>"
            record.args = ()
        return True


def bolt_logger() -> logging.Logger:
    """The base logger for Bolt: every logger Bolt derives from it inherits the redaction."""
    logger = logging.getLogger("handlers.slack_app.bolt")
    if not any(isinstance(f, RedactBodies) for f in logger.filters):
        logger.addFilter(RedactBodies())
    return logger
