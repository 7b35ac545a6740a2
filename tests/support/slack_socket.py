"""Slack's Socket Mode server, played on 127.0.0.1 for tests: a real WebSocket (aiohttp).

The bot calls `apps.connections.open` on the Web API double, which answers with this server's
`ws://` URL; the bot dials in, gets `hello`, and from then on receives envelopes (`events_api`,
`slash_commands`, `interactive`) that it must acknowledge by sending back their `envelope_id`
(with a `payload` for a command's immediate reply). `send` delivers one; `ack_for` waits for the
acknowledgement.
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from typing import Any

from aiohttp import WSMsgType, web


class SlackSocketServer:
    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._sockets: list[web.WebSocketResponse] = []
        self._acks: dict[str, dict[str, Any]] = {}
        self._changed = threading.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    def __enter__(self) -> SlackSocketServer:
        started = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(started,), daemon=True)
        self._thread.start()
        started.wait(10)
        return self

    def __exit__(self, *_: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link"

    def wait_connected(self, timeout: float = 20) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: bool(self._sockets), timeout):
                raise AssertionError("the bot never connected over Socket Mode")

    def send(self, kind: str, payload: dict[str, Any]) -> str:
        """Deliver one envelope to the connected bot; its envelope_id."""
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id, "type": kind, "payload": payload,
            "accepts_response_payload": kind != "events_api", "retry_attempt": 0,
            "retry_reason": "",
        }  # fmt: skip
        asyncio.run_coroutine_threadsafe(self._sockets[-1].send_str(json.dumps(envelope)),
                                         self._loop).result(10)  # fmt: skip
        return envelope_id

    def ack_for(self, envelope_id: str, timeout: float = 20) -> dict[str, Any]:
        with self._changed:
            if not self._changed.wait_for(lambda: envelope_id in self._acks, timeout):
                raise AssertionError(f"no acknowledgement for envelope {envelope_id}")
            return self._acks[envelope_id]

    def _serve(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_get("/link", self._link)
        self._runner = web.AppRunner(app)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        started.set()
        self._loop.run_forever()

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        with self._changed:
            self._sockets.append(socket)
            self._changed.notify_all()
        async for message in socket:
            if message.type != WSMsgType.TEXT:
                continue
            ack = json.loads(message.data)
            with self._changed:
                self._acks[ack.get("envelope_id", "")] = ack
                self._changed.notify_all()
        return socket

    async def _stop(self) -> None:
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()
