"""A stateful loopback fake of Slack's Web API for delivery tests: chat.postMessage and
conversations.history, recording every post.

The chat engineer's ``tests/fakes/slack_server.py`` answers canned replies per method; this
one keeps each channel's history (with message metadata, so ``find_sent`` can be tested) and
misbehaves on demand: per-channel errors, 429 ``ratelimited`` with Retry-After, and a lost
response after a post that did land.
"""

from __future__ import annotations

import itertools
import time

from tests.fakes.recording_server import RecordingServer


class FakeSlack(RecordingServer):
    """Messages per channel; set ``errors`` (channel → Slack error) or ``rate_limit``."""

    def __init__(self, token: str = "xoxb-test-token") -> None:
        super().__init__()
        self.token = token
        self.messages: dict[str, list[dict]] = {}
        self.errors: dict[str, str] = {}
        self.rate_limit: dict[str, int] = {}  # channel → how many 429s to answer first
        self.timeout_after_post: set[str] = set()  # post, then answer 500 (lost response)
        self._ts = itertools.count(1)

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def posts(self, channel: str) -> list[dict]:
        with self.lock:
            return list(self.messages.get(channel, []))

    def handle(self, method: str, path: str, query: dict, body: dict, headers) -> tuple:
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 200, {"ok": False, "error": "invalid_auth"}
        if path == "/api/chat.postMessage":
            return self._post(body)
        if path == "/api/conversations.history":
            return self._history({**query, **body})  # slack_sdk may send a form body
        if path == "/api/conversations.open":
            return 200, {"ok": True, "channel": {"id": dm_of({**query, **body}.get("users", ""))}}
        return 200, {"ok": False, "error": "unknown_method"}

    def new_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    def chatter(self, channel: str, count: int) -> None:
        """``count`` messages from other people, posted after everything so far."""
        with self.lock:
            history = self.messages.setdefault(channel, [])
            history += [
                {"type": "message", "ts": self.new_ts(), "text": "hi"} for _ in range(count)
            ]

    def _post(self, body: dict) -> tuple:
        channel = dm_of(body.get("channel", ""))
        if channel in self.errors:
            return 200, {"ok": False, "error": self.errors[channel]}
        if self.rate_limit.get(channel, 0) > 0:
            self.rate_limit[channel] -= 1
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}
        message = {
            "type": "message",
            "ts": self.new_ts(),
            "text": body.get("text", ""),
            "blocks": body.get("blocks", []),
            "metadata": body.get("metadata"),
        }
        self.messages.setdefault(channel, []).append(message)
        if self.after_post is not None:
            self.after_post()
        if channel in self.timeout_after_post:
            self.timeout_after_post.discard(channel)
            return 500, {"ok": False, "error": "internal_error"}
        return 200, {"ok": True, "channel": channel, "ts": message["ts"], "message": message}

    def _history(self, query: dict) -> tuple:
        channel = query.get("channel", "")
        if channel in self.errors:
            return 200, {"ok": False, "error": self.errors[channel]}
        with_metadata = query.get("include_all_metadata") in ("1", "true", "True")
        limit = min(int(query.get("limit", 100)), 999)
        start = int(query.get("cursor") or 0)  # the cursor is an offset into newest-first order
        oldest = float(query.get("oldest") or 0)
        newest_first = [
            m for m in reversed(self.messages.get(channel, [])) if float(m["ts"]) > oldest
        ]
        page = [
            {k: v for k, v in m.items() if k != "metadata" or with_metadata}
            for m in newest_first[start : start + limit]
        ]
        more = start + limit < len(newest_first)
        meta = {"next_cursor": str(start + limit) if more else ""}
        return 200, {"ok": True, "messages": page, "has_more": more, "response_metadata": meta}


def dm_of(channel: str) -> str:
    """Slack posts to a user id in that user's DM channel ("U1" → "DU1")."""
    return f"D{channel}" if channel.startswith("U") else channel
