"""A recording stand-in for the Bot Connector (and for the file host Teams links to), on 127.0.0.1.

The bot replies by POSTing activities to `{serviceUrl}v3/conversations/{id}/activities[/{id}]`;
this server answers as the Bot Connector does (`{"id": ...}`) and keeps every request. It also
serves files by name, as the pre-authorised `downloadUrl` of a file sent in Teams would, and takes
PUT uploads as the OneDrive upload URL of an accepted file consent would.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote


@dataclass
class Request:
    method: str
    path: str
    body: dict[str, Any] = field(default_factory=dict)
    data: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    id: str = ""  # the id the connector gave a posted activity

    @property
    def conversation(self) -> str:
        return unquote(self.path.split("/")[3])


class BotConnector:
    """Use as a context manager; `url` is the serviceUrl to put in activities."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.files: dict[str, tuple[bytes, str]] = {}
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/"

    def file_url(self, name: str) -> str:
        return f"{self.url}files/{name}"

    def upload_url(self, name: str) -> str:
        return f"{self.url}upload/{name}"

    def __enter__(self) -> BotConnector:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def activities(self, kind: str = "message") -> list[Request]:
        """Activities the bot sent, of one type, in order."""
        with self._changed:
            return [r for r in self.requests if r.method == "POST" and r.body.get("type") == kind]

    def downloads(self) -> list[Request]:
        with self._changed:
            return [r for r in self.requests if r.method == "GET"]

    def uploads(self) -> list[Request]:
        with self._changed:
            return [r for r in self.requests if r.method == "PUT"]

    def wait_for(self, count: int, kind: str = "message", timeout: float = 30.0) -> list[Request]:
        """Block until the bot has sent `count` activities of `kind`; fail after `timeout` s."""
        self.wait_until(lambda: len(self.activities(kind)) >= count, timeout)
        return self.activities(kind)

    def wait_until(self, ready: Callable[[], bool], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not ready():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out; the bot sent: {self.requests}")
                self._changed.wait(left)

    def _record(self, request: Request) -> None:
        with self._changed:
            self.requests.append(request)
            self._changed.notify_all()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        connector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if not self.path.startswith("/v3/conversations/"):
                    self._send(404, b'{"error": "not a Bot Connector path"}')
                    return
                posted = Request("POST", self.path, body, id=f"bot-{len(connector.requests) + 1}")
                connector._record(posted)
                self._send(200, json.dumps({"id": posted.id}).encode())

            def do_PUT(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length)
                if not self.path.startswith("/upload/"):
                    self._send(404, b'{"error": "not an upload URL"}')
                    return
                headers = {k.lower(): v for k, v in self.headers.items()}
                connector._record(Request("PUT", self.path, data=data, headers=headers))
                if "content-range" not in headers:  # OneDrive upload sessions insist on it
                    self._send(400, b'{"error": "Content-Range is required"}')
                    return
                self._send(201, json.dumps({"id": "drive-item", "size": len(data)}).encode())

            def do_GET(self) -> None:
                name = self.path.removeprefix("/files/")
                connector._record(Request("GET", self.path))
                if name not in connector.files:
                    self._send(404, b"no such file")
                    return
                data, kind = connector.files[name]
                self._send(200, data, kind)

            def _send(self, status: int, data: bytes, kind: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
