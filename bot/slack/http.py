"""HTTP mode: `POST /slack/events` on `$PORT`, served by a threaded WSGI server.

In front of Bolt, every request is checked for what Bolt would otherwise trip over: a body too
large (refused with 413 before a byte of it is read, whatever it declares), no or a garbled
`Content-Length` (411, 400), a body that is not the JSON or form Slack sends (400). A sender that
stalls is cut off after `read_timeout` seconds; each connection has a thread, so others are
served meanwhile. Only then does Bolt check the signature.
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from bot.limits import MAX_BODY, READ_TIMEOUT

log = logging.getLogger(__name__)

EVENTS = "/slack/events"

StartResponse = Callable[..., Any]


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    # Slack delivers in bursts; socketserver's default backlog of 5 resets connections under one,
    # and Slack counts a reset as a failed delivery.
    request_queue_size = 128


class _QuietHandler(WSGIRequestHandler):
    timeout = READ_TIMEOUT  # socket timeout for every read: a stalled sender is dropped

    def log_message(self, format: str, *args: Any) -> None:
        pass  # request lines carry no case details, but they are noise beside the app's own logs


def _refuse(start_response: StartResponse, status: str, reason: str) -> list[bytes]:
    """A short plain-text refusal; wsgiref closes the connection after every response."""
    body = f"{reason}\n".encode()
    start_response(
        status,
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
        ],
    )
    return [body]


def malformed(content_type: str, body: bytes) -> str | None:
    """Why `body` is not a request Slack sends (JSON, or a form whose `payload` is JSON); None if
    it is one. Signatures are Bolt's to check, after this."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "the body is not UTF-8"
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            json.loads(text)
        except ValueError:
            return "the body is not valid JSON"
        return None
    if kind == "application/x-www-form-urlencoded":
        payload = parse_qs(text).get("payload")
        if payload:
            try:
                json.loads(payload[0])
            except ValueError:
                return "the form's payload is not valid JSON"
        return None
    return "Slack sends application/json or application/x-www-form-urlencoded"


def read_body(stream: Any, length: int, deadline: float) -> bytes:
    """Up to `length` bytes, a chunk at a time, raising TimeoutError past `deadline` (monotonic):
    each read waits at most the socket's timeout, so a sender trickling a byte at a time is
    cut off too."""
    chunks: list[bytes] = []
    left = length
    read = getattr(stream, "read1", stream.read)
    while left > 0:
        if time.monotonic() > deadline:
            raise TimeoutError("request body not received in time")
        chunk = read(min(left, 65536))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def guarded(
    handler: Callable[[dict[str, Any], StartResponse], Iterable[bytes]],
    read_timeout: float = READ_TIMEOUT,
) -> Any:
    """The WSGI app: health checks, then the checks above, then Bolt's handler."""

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
        if method == "GET" and path in ("/", "/health"):
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        if path != EVENTS:
            return _refuse(start_response, "404 Not Found", f"POST Slack's requests to {EVENTS}")
        if method != "POST":
            return _refuse(start_response, "405 Method Not Allowed", "only POST is accepted")
        declared = environ.get("CONTENT_LENGTH") or ""
        if not declared:
            return _refuse(start_response, "411 Length Required", "Content-Length is required")
        if not declared.isdigit():
            return _refuse(start_response, "400 Bad Request", "Content-Length is not a number")
        length = int(declared)
        if length > MAX_BODY:
            log.warning("refused a %d-byte request body (limit %d)", length, MAX_BODY)
            return _refuse(start_response, "413 Content Too Large", "the request body is too large")
        try:
            body = read_body(environ["wsgi.input"], length, time.monotonic() + read_timeout)
        except TimeoutError:  # stalled, or trickling past the deadline
            return _refuse(start_response, "408 Request Timeout", "the body came too slowly")
        if len(body) < length:
            return _refuse(start_response, "400 Bad Request", "the body is shorter than declared")
        problem = malformed(environ.get("CONTENT_TYPE") or "", body)
        if problem:
            return _refuse(start_response, "400 Bad Request", problem)
        environ["wsgi.input"] = io.BytesIO(body)
        return handler(environ, start_response)

    return wsgi


def make_http_server(
    app: Any, host: str, port: int, *, read_timeout: float = READ_TIMEOUT
) -> WSGIServer:
    """A server for Bolt's WSGI handler; `port=0` picks a free port (tests)."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    handler_class = type("_Handler", (_QuietHandler,), {"timeout": read_timeout})
    return make_server(
        host,
        port,
        guarded(SlackRequestHandler(app, path=EVENTS), read_timeout),
        server_class=_ThreadingWSGIServer,
        handler_class=handler_class,
    )
