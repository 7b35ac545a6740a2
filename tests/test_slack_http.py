"""The Slack HTTP server refuses what Bolt would trip over, at once, and keeps serving others.

A real Bolt app (signature checks on) behind `make_http_server` on 127.0.0.1, raw sockets for the
requests no HTTP client would send.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from bot.slack.http import make_http_server, malformed
from tests.support import slack_requests as slack
from tests.support.slack_web_api import SlackWebAPI

SECRET = "test-signing-secret"
Server = tuple[str, int, list[dict[str, object]]]


@pytest.fixture
def api() -> Iterator[SlackWebAPI]:
    with SlackWebAPI(bot_token="xoxb-test") as double:
        yield double


@pytest.fixture
def server(api: SlackWebAPI) -> Iterator[Server]:
    from slack_bolt import App
    from slack_sdk import WebClient

    seen: list[dict[str, object]] = []
    app = App(client=WebClient(token="xoxb-test", base_url=api.url), signing_secret=SECRET)

    @app.event("app_mention")
    def mention(event: dict[str, object]) -> None:
        seen.append(event)

    http = make_http_server(app, "127.0.0.1", 0, read_timeout=1.0)
    thread = threading.Thread(target=http.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield "127.0.0.1", http.server_port, seen
    finally:
        http.shutdown()
        http.server_close()
        thread.join(timeout=5)


def url(port: int) -> str:
    return f"http://127.0.0.1:{port}/slack/events"


def raw(port: int, request: bytes, *, wait: float = 5.0) -> bytes:
    """Send `request` as is and return what comes back before the server closes (or `wait`)."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as connection:
        connection.sendall(request)
        chunks = []
        try:
            while chunk := connection.recv(65536):
                chunks.append(chunk)
        except TimeoutError:
            pass
        return b"".join(chunks)


def test_a_signed_body_that_is_not_json_gets_400_and_no_work(server: Server) -> None:
    _, port, seen = server
    status, body = slack.signed_post(
        url(port), b'{"type": "event_callback", ', "application/json", SECRET
    )
    assert status == 400 and b"not valid JSON" in body
    status, body = slack.signed_post(
        url(port), b"payload=%7Bnot+json", "application/x-www-form-urlencoded", SECRET
    )
    assert status == 400 and b"payload is not valid JSON" in body
    assert seen == []


def test_a_well_formed_signed_event_still_reaches_the_app(server: Server) -> None:
    _, port, seen = server
    event = slack.app_mention_event("<@UBOT> hello", user="U1", channel="C1", ts="1.1")
    status, _ = slack.signed_post(
        url(port), slack.event_callback(event, event_id="Ev1"), "application/json", SECRET
    )
    assert status == 200
    deadline = time.monotonic() + 5
    while not seen and time.monotonic() < deadline:
        time.sleep(0.02)
    assert seen and seen[0]["text"] == "<@UBOT> hello"
    # unsigned, it is refused by Bolt as before
    request = slack.event_callback(event, event_id="Ev2")
    assert slack.signed_post(url(port), request, "application/json", "wrong-secret")[0] == 401


def test_a_huge_declared_body_is_refused_at_once_without_reading_it(server: Server) -> None:
    _, port, _ = server
    started = time.monotonic()
    reply = raw(
        port,
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 2147483648\r\n\r\n",
    )
    assert reply.startswith(b"HTTP/1.0 413") or reply.startswith(b"HTTP/1.1 413"), reply[:80]
    assert time.monotonic() - started < 2.0


def test_missing_or_garbled_lengths_and_other_paths_are_refused(server: Server) -> None:
    _, port, _ = server
    head = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    assert b" 411 " in raw(port, head + b"\r\n").split(b"\r\n")[0]
    assert b" 400 " in raw(port, head + b"Content-Length: -5\r\n\r\n").split(b"\r\n")[0]
    assert b" 404 " in raw(port, b"GET /etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n").split(b"\r\n")[0]
    assert b" 405 " in raw(port, b"GET /slack/events HTTP/1.1\r\nHost: x\r\n\r\n").split(b"\r\n")[0]


def test_a_stalled_sender_is_cut_off_while_others_are_served(server: Server) -> None:
    _, port, _ = server
    stalled = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        stalled.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"a":'
        )
        challenge = slack.url_verification("still-serving")
        status, body = slack.signed_post(url(port), challenge, "application/json", SECRET)
        assert status == 200 and b"still-serving" in body  # served while the other stalls
        started = time.monotonic()
        reply = stalled.recv(65536)
        assert b" 408 " in reply.split(b"\r\n")[0]
        assert time.monotonic() - started < 5.0
    finally:
        stalled.close()


@pytest.mark.parametrize(
    ("content_type", "body", "problem"),
    [
        ("application/json", b'{"ok": true}', None),
        ("application/json; charset=utf-8", b"[1, 2]", None),
        ("application/json", b"\xff\xfe", "not UTF-8"),
        ("application/x-www-form-urlencoded", b"command=%2Fevidence&text=hi", None),
        ("application/x-www-form-urlencoded", b"payload=%7B%22a%22%3A1%7D", None),
        ("text/plain", b"hello", "Slack sends"),
    ],
)
def test_what_counts_as_a_slack_body(content_type: str, body: bytes, problem: str | None) -> None:
    found = malformed(content_type, body)
    assert (found is None) if problem is None else (found is not None and problem in found)
    if found is None and content_type.startswith("application/json"):
        json.loads(body)
