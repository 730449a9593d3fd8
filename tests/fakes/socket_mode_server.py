"""A loopback fake of Slack's Socket Mode WebSocket endpoint (aiohttp), recording every ack.

    server = FakeSocketMode().start()
    fake_slack.responses["apps.connections.open"] = {"ok": True, "url": server.url}
    ...                                       # start the app in Socket Mode
    server.wait_connected()
    server.send({"envelope_id": "e1", "type": "slash_commands", "payload": {...}})
    server.wait_for_ack("e1")
    server.stop()

slack_sdk's built-in client speaks plain ``ws://`` to any port but 443, so no TLS is needed.
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

from aiohttp import WSMsgType, web


class FakeSocketMode:
    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self._changed = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._sockets: list[web.WebSocketResponse] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link"

    def start(self) -> FakeSocketMode:
        ready = threading.Event()
        threading.Thread(target=self._serve, args=(ready,), daemon=True).start()
        assert ready.wait(10), "socket mode server did not start"
        return self

    def _serve(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_get("/link", self._handle)
        self._runner = web.AppRunner(app)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]
        ready.set()
        self._loop.run_forever()

    async def _handle(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        await socket.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        with self._changed:
            self._sockets.append(socket)
            self._changed.notify_all()
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                with self._changed:
                    self.received.append(json.loads(message.data))
                    self._changed.notify_all()
        return socket

    def wait_connected(self, timeout: float = 10.0) -> None:
        with self._changed:
            assert self._changed.wait_for(lambda: self._sockets, timeout), "nobody connected"

    def send(self, envelope: dict[str, Any]) -> None:
        """Push one envelope to the connected app."""
        socket = self._sockets[-1]
        future = asyncio.run_coroutine_threadsafe(socket.send_str(json.dumps(envelope)), self._loop)
        future.result(5)

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        def acked() -> list[dict[str, Any]]:
            return [m for m in self.received if m.get("envelope_id") == envelope_id]

        with self._changed:
            assert self._changed.wait_for(acked, timeout), f"no ack for {envelope_id}"
            return acked()[0]

    def stop(self) -> None:
        async def shutdown() -> None:
            for socket in self._sockets:
                await socket.close()
            if self._runner is not None:
                await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
