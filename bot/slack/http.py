"""HTTP mode: `POST /slack/events` on `$PORT`, served by a threaded WSGI server."""

from __future__ import annotations

from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    # Slack delivers in bursts; socketserver's default backlog of 5 resets connections under one,
    # and Slack counts a reset as a failed delivery.
    request_queue_size = 128


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # request lines carry no case details, but they are noise beside the app's own logs


def make_http_server(app: Any, host: str, port: int) -> WSGIServer:
    """A server for Bolt's WSGI handler; `port=0` picks a free port (tests)."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    handler = SlackRequestHandler(app, path="/slack/events")

    def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("REQUEST_METHOD") == "GET" and environ.get("PATH_INFO") in ("/", "/health"):
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        return handler(environ, start_response)

    return make_server(
        host, port, wsgi, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
