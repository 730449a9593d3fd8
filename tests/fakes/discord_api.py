"""A loopback fake of the Discord HTTP API that records every call (aiohttp, 127.0.0.1).

discord.py is pointed at it with ``DISCORD_API_URL`` (its ``Route.BASE``). Interaction
callbacks, webhook follow-ups, channel messages, threads, DMs and command sync are answered
with minimal valid payloads; ``messages`` holds canned messages for GET lookups.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

APP_ID = "700000000000000001"
BOT_ID = "700000000000000002"
PREFIX = "/api/v10"


@dataclass
class Call:
    method: str
    path: str
    json: Any
    at: float = field(default_factory=time.perf_counter)  # when the fake received it


@dataclass
class FakeDiscordAPI:
    """``async with FakeDiscordAPI() as api``: ``api.base_url`` for DISCORD_API_URL."""

    calls: list[Call] = field(default_factory=list)
    messages: dict[tuple[str, str], dict] = field(default_factory=dict)
    fail: dict[tuple[str, str], int] = field(default_factory=dict)  # (method, path) → status
    base_url: str = ""
    _runner: web.AppRunner | None = None
    _ids: Any = field(default_factory=lambda: itertools.count(900000000000000001))

    async def __aenter__(self) -> FakeDiscordAPI:
        app = web.Application()
        app.router.add_route("*", PREFIX + "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}{PREFIX}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def matching(self, method: str, path_part: str) -> list[Call]:
        """Recorded calls with this method whose path contains ``path_part``."""
        return [c for c in self.calls if c.method == method and path_part in c.path]

    async def wait_for(self, predicate: Callable[[list[Call]], bool], timeout: float = 5) -> None:
        """Wait until the recorded calls satisfy ``predicate`` (raises TimeoutError)."""
        async with asyncio.timeout(timeout):
            while not predicate(self.calls):
                await asyncio.sleep(0.01)

    def next_id(self) -> str:
        return str(next(self._ids))

    async def _handle(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body = await request.json() if request.can_read_body else None
        self.calls.append(Call(request.method, path, body))
        status = self.fail.get((request.method, path))
        if status:
            return _json({"message": "fake failure", "code": 0}, status=status)
        return self._answer(request.method, path.strip("/").split("/"), body)

    def _answer(self, method: str, parts: list[str], body: Any) -> web.Response:
        route = (method, *[p if not p.isdigit() else "ID" for p in parts])
        if route in (("GET", "users", "@me"),):
            return _json(user(BOT_ID, "podbrief", bot=True))
        if route == ("GET", "oauth2", "applications", "@me"):
            return _json(app_info())
        if route[:2] == ("POST", "interactions") and parts[-1] == "callback":
            return _json({"interaction": {"id": parts[1], "type": 2}})
        if route[:2] == ("POST", "webhooks"):
            return _json(message(self.next_id(), "0", body, author_id=APP_ID))
        if route[:2] in (("PATCH", "webhooks"), ("GET", "webhooks")):
            return _json(message(parts[-1], "0", body, author_id=APP_ID))
        if method == "DELETE":
            return web.Response(status=204)
        if route == ("POST", "channels", "ID", "messages"):
            return _json(message(self.next_id(), parts[1], body))
        if route == ("POST", "channels", "ID", "typing"):
            return web.Response(status=204)
        if route == ("GET", "channels", "ID", "messages", "ID"):
            canned = self.messages.get((parts[1], parts[3]))
            if canned is None:
                return _json({"message": "Unknown Message", "code": 10008}, status=404)
            return _json(canned)
        if route == ("POST", "channels", "ID", "messages", "ID", "threads"):
            return _json(thread(parts[3], parts[1], body.get("name", "")))
        if route == ("POST", "users", "@me", "channels"):
            return _json(dm_channel(self.next_id(), body["recipient_id"]))
        if method == "PUT" and parts[0] == "applications":
            return _json([dict(c, id=self.next_id(), application_id=APP_ID) for c in body])
        return _json({"message": "Unknown route (fake)", "code": 0}, status=404)


@contextmanager
def fake_api_in_thread() -> Iterator[FakeDiscordAPI]:
    """The fake served from its own event loop, for code that runs ``asyncio.run`` itself."""
    api = FakeDiscordAPI()
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(api.__aenter__())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, name="fake-discord-api", daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield api
    finally:
        asyncio.run_coroutine_threadsafe(api.__aexit__(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


def _json(data: Any, status: int = 200) -> web.Response:
    # discord.py only decodes an exact "application/json" content type (no charset suffix).
    body = json.dumps(data).encode()
    return web.Response(body=body, status=status, headers={"Content-Type": "application/json"})


def user(user_id: str, name: str, *, bot: bool = False) -> dict:
    return {"id": user_id, "username": name, "discriminator": "0", "avatar": None, "bot": bot}


def app_info() -> dict:
    return {
        "id": APP_ID,
        "name": "podbrief",
        "description": "",
        "icon": None,
        "bot_public": True,
        "bot_require_code_grant": False,
        "owner": user("700000000000000003", "owner"),
        "verify_key": "0" * 64,
        "flags": 0,
    }


def message(message_id: str, channel_id: str, body: Any, *, author_id: str = BOT_ID) -> dict:
    """A minimal message payload echoing what was sent."""
    body = body or {}
    return {
        "id": message_id,
        "channel_id": channel_id,
        "author": user(author_id, "podbrief", bot=True),
        "content": body.get("content") or "",
        "embeds": body.get("embeds") or [],
        "components": body.get("components") or [],
        "attachments": [],
        "mentions": [],
        "mention_roles": [],
        "mention_everyone": False,
        "pinned": False,
        "tts": False,
        "type": 0,
        "flags": body.get("flags", 0),
        "timestamp": "2026-12-01T08:00:00+00:00",
        "edited_timestamp": None,
    }


def thread(thread_id: str, parent_id: str, name: str, guild_id: str = "290926798626357999") -> dict:
    return {
        "id": thread_id,
        "type": 11,
        "guild_id": guild_id,
        "parent_id": parent_id,
        "name": name,
        "owner_id": BOT_ID,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": "2026-12-01T08:00:00+00:00",
            "locked": False,
        },
        "message_count": 0,
        "member_count": 1,
        "rate_limit_per_user": 0,
    }


def dm_channel(channel_id: str, recipient_id: str) -> dict:
    return {"id": channel_id, "type": 1, "recipients": [user(recipient_id, "someone")]}
