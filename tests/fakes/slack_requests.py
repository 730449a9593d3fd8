"""Signed Slack requests (as Slack itself sends them) for tests of the real Bolt pipeline."""

from __future__ import annotations

import functools
import json
import time
from typing import Any
from urllib.parse import urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "test-signing-secret"
INTERACTIVE_TYPES = {
    "block_actions",
    "block_suggestion",
    "dialog_cancellation",
    "dialog_submission",
    "dialog_suggestion",
    "interactive_message",
    "message_action",
    "shortcut",
    "view_closed",
    "view_submission",
    "workflow_step_edit",
}


def encode(payload: dict[str, Any]) -> tuple[str, str]:
    """The body and content type Slack uses for this payload's kind."""
    if "command" in payload:
        return urlencode(payload), "application/x-www-form-urlencoded"
    if payload.get("type") in INTERACTIVE_TYPES:
        return urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
    return json.dumps(payload), "application/json"


def signed_headers(
    body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


def post(
    url: str,
    payload: dict[str, Any] | str,
    *,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
    headers: dict[str, str] | None = None,
    content_type: str = "application/x-www-form-urlencoded",
) -> httpx.Response:
    """POST a payload to a Bolt endpoint, signed like Slack signs it."""
    if isinstance(payload, dict):
        body, content_type = encode(payload)
    else:
        body = payload
    all_headers = {
        "Content-Type": content_type,
        **signed_headers(body, secret=secret, timestamp=timestamp),
    }
    all_headers.update(headers or {})
    return _client().post(url, content=body.encode(), headers=all_headers)


@functools.cache
def _client() -> httpx.Client:
    """One client for every test request: building httpx's TLS context costs ~0.1 s each time."""
    return httpx.Client(timeout=10)
