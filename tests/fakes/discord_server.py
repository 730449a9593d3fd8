"""A loopback fake of Discord's REST message endpoints, recording every post.

``POST /api/v10/channels/{id}/messages`` honours ``nonce`` + ``enforce_nonce`` like Discord (a
repeated nonce returns the first message instead of creating another), answers 429 with
``retry_after`` for channels told to rate-limit, 404 Unknown Channel / 403 Missing Access for
channels that are gone. ``GET`` returns the channel's history, newest first, in pages of
``limit`` (at most 100) before the ``before`` id; ids are real snowflakes. Set
``nonce_window_open`` False to act as Discord does minutes later: nonces no longer deduplicate
and fetched history omits them.
"""

from __future__ import annotations

import re
import time

from tests.fakes.recording_server import RecordingServer

MESSAGES = re.compile(r"^/api/v10/channels/(?P<channel>[^/]+)/messages$")
DM_OPEN = "/api/v10/users/@me/channels"
DISCORD_EPOCH_MS = 1_420_070_400_000


class FakeDiscord(RecordingServer):
    """Messages per channel; set ``gone``, ``forbidden`` or ``rate_limit`` to misbehave."""

    def __init__(self, token: str = "discord-test-token") -> None:
        super().__init__()
        self.token = token
        self.messages: dict[str, list[dict]] = {}
        self.gone: set[str] = set()
        self.forbidden: set[str] = set()
        self.rate_limit: dict[str, int] = {}  # channel → how many 429s to answer first
        self.dm_closed: set[str] = set()  # user ids whose DMs are closed to the bot
        self.history_hidden: set[str] = set()  # channels the bot may post in but not read
        self.retry_after = 0.25
        self.nonce_window_open = True
        self._last_id = 0

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/v10"

    def posts(self, channel: str) -> list[dict]:
        with self.lock:
            return list(self.messages.get(channel, []))

    def handle(self, method: str, path: str, query: dict, body: dict, headers) -> tuple:
        match = MESSAGES.match(path)
        if headers.get("Authorization") != f"Bot {self.token}":
            return 401, {"message": "401: Unauthorized", "code": 0}
        if path == DM_OPEN and method == "POST":
            return self._open_dm(str(body.get("recipient_id")))
        if match is None:
            return 404, {"message": "404: Not Found", "code": 0}
        channel = match["channel"]
        if channel in self.gone:
            return 404, {"message": "Unknown Channel", "code": 10003}
        if channel in self.forbidden:
            return 403, {"message": "Missing Access", "code": 50001}
        if method == "GET":
            if channel in self.history_hidden:
                return 403, {"message": "Missing Access", "code": 50001}
            limit = min(int(query.get("limit", 50)), 100)
            before = int(query.get("before", 0) or 0)
            newest_first = reversed(self.messages.get(channel, []))
            history = [m for m in newest_first if not before or int(m["id"]) < before][:limit]
            if not self.nonce_window_open:
                history = [{k: v for k, v in m.items() if k != "nonce"} for m in history]
            return 200, history
        return self._create(channel, body)

    def new_id(self) -> str:
        """A snowflake for now, always above the last one."""
        now = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last_id = max(self._last_id + 1, now)
        return str(self._last_id)

    def chatter(self, channel: str, count: int) -> None:
        """``count`` messages from other people, posted after everything so far."""
        with self.lock:
            history = self.messages.setdefault(channel, [])
            history += [{"id": self.new_id(), "content": f"chat {n}"} for n in range(count)]

    def _open_dm(self, user_id: str) -> tuple:
        """A DM channel per user (``dm-<user id>``); users in ``dm_closed`` refuse DMs."""
        if user_id in self.dm_closed:
            return 403, {"message": "Cannot send messages to this user", "code": 50007}
        return 200, {"id": f"dm-{user_id}", "type": 1, "recipients": [{"id": user_id}]}

    def _create(self, channel: str, body: dict) -> tuple:
        if self.rate_limit.get(channel, 0) > 0:
            self.rate_limit[channel] -= 1
            limited = {"message": "You are being rate limited.", "retry_after": self.retry_after}
            headers = {"Retry-After": str(self.retry_after), "X-RateLimit-Scope": "user"}
            return 429, {**limited, "global": False}, headers
        history = self.messages.setdefault(channel, [])
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce") and self.nonce_window_open:
            for message in history:
                if message.get("nonce") == nonce:
                    return 200, message
        message = {
            "id": self.new_id(),
            "channel_id": channel,
            "content": body.get("content", ""),
            "embeds": body.get("embeds", []),
            "nonce": nonce,
            "allowed_mentions": body.get("allowed_mentions"),
        }
        history.append(message)
        if self.after_post is not None:
            self.after_post()
        return 200, message
