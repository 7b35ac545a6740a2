"""Play Slack's side of HTTP mode: signed requests POSTed to an app's `/slack/events`.

The builders return the raw bytes Slack would send, shaped like the examples in Slack's docs: JSON
for Events API envelopes, form-encoded for slash commands and `payload=<json>` for interactivity.
`serve_bolt_app` runs a Bolt `App` over real HTTP on 127.0.0.1 through Bolt's WSGI adapter.

    with serve_bolt_app(app) as events_url:
        status, _ = signed_post(events_url, event_callback(app_mention_event(...)), JSON, SECRET)
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.signature import SignatureVerifier

from tests.support.slack_web_api import APP_ID, BOT_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
VERIFICATION_TOKEN = "legacy-verification-token"  # deprecated by Slack but still sent

Event = dict[str, Any]


def signed_post(
    url: str,
    body: bytes,
    content_type: str,
    signing_secret: str,
    timestamp: int | None = None,
    retry_num: int | None = None,
    retry_reason: str = "http_timeout",
) -> tuple[int, bytes]:
    """POST `body` signed as Slack signs it; returns (HTTP status, response body).

    Args:
        timestamp: Unix seconds for `X-Slack-Request-Timestamp` (default now); Bolt rejects
            anything more than 300 s away.
        retry_num: sends `X-Slack-Retry-Num` and `X-Slack-Retry-Reason`, as Slack's redeliveries do.
    """
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(signing_secret).generate_signature(timestamp=stamp, body=body)
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature or "",
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    }
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = retry_reason
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def event_callback(
    event: Event,
    event_id: str | None = None,
    team_id: str = TEAM_ID,
    event_time: int | None = None,
) -> bytes:
    """The Events API envelope around `event`, as JSON bytes."""
    envelope = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "context_team_id": team_id,
        "context_enterprise_id": None,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()) if event_time is None else event_time,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{uuid.uuid4().hex}",
    }
    return json.dumps(envelope).encode()


def app_mention_event(
    text: str, user: str, channel: str, ts: str, thread_ts: str | None = None
) -> Event:
    """An `app_mention`; Slack's text carries the mention itself, e.g. `<@UBOT> what works?`."""
    event: Event = {
        "type": "app_mention",
        "client_msg_id": str(uuid.uuid4()),
        "text": text,
        "user": user,
        "ts": ts,
        "team": TEAM_ID,
        "channel": channel,
        "event_ts": ts,
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event


def im_message_event(
    text: str,
    user: str,
    channel: str,
    ts: str,
    thread_ts: str | None = None,
    files: list[Event] | None = None,
) -> Event:
    """A `message` in the bot's DM (`channel_type: im`); with files it is a `file_share`."""
    event: Event = {
        "type": "message",
        "client_msg_id": str(uuid.uuid4()),
        "text": text,
        "user": user,
        "ts": ts,
        "team": TEAM_ID,
        "channel": channel,
        "event_ts": ts,
        "channel_type": "im",
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    if files:
        event.update(subtype="file_share", files=files, upload=False, display_as_bot=False)
    return event


def shared_file(
    file_id: str,
    name: str,
    url_private_download: str,
    mimetype: str = "application/pdf",
    size: int = 0,
    user: str = "U0TESTUSER",
) -> Event:
    """One entry of a `file_share` message's `files`, as the Events API delivers it."""
    return {
        "id": file_id,
        "created": int(time.time()),
        "timestamp": int(time.time()),
        "name": name,
        "title": name,
        "mimetype": mimetype,
        "filetype": name.rsplit(".", 1)[-1] if "." in name else "binary",
        "user": user,
        "mode": "hosted",
        "size": size,
        "url_private": url_private_download.replace("/download/", "/"),
        "url_private_download": url_private_download,
        "is_external": False,
        "file_access": "visible",
    }


def slash_command(
    command: str,
    text: str,
    user_id: str,
    channel_id: str,
    response_url: str,
    trigger_id: str = "13345224609.738474920.8088930838d88f008e0",
) -> bytes:
    """A slash command invocation, form-encoded like Slack sends it."""
    return urlencode(
        {
            "token": VERIFICATION_TOKEN,
            "team_id": TEAM_ID,
            "team_domain": TEAM_DOMAIN,
            "channel_id": channel_id,
            "channel_name": "directmessage" if channel_id.startswith("D") else "general",
            "user_id": user_id,
            "user_name": f"user-{user_id.lower()}",
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
    ).encode()


def block_action(
    action_id: str,
    value: str,
    user_id: str,
    channel_id: str,
    message_ts: str,
    response_url: str,
    container: Event | None = None,
    block_id: str = "actions",
    message: Event | None = None,
    trigger_id: str = "13345224609.738474920.8088930838d88f008e0",
) -> bytes:
    """A button click (`block_actions`), form-encoded as `payload=<json>` like Slack sends it.

    Args:
        container: defaults to the message container for (channel_id, message_ts).
        message: the message holding the button; defaults to a bot message at message_ts.
    """
    payload: Event = {
        "type": "block_actions",
        "user": {
            "id": user_id,
            "username": f"user-{user_id.lower()}",
            "name": f"user-{user_id.lower()}",
            "team_id": TEAM_ID,
        },
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "container": container
        or {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        },
        "trigger_id": trigger_id,
        "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel_id, "name": "general"},
        "message": message
        or {"type": "message", "user": BOT_USER_ID, "ts": message_ts, "text": "", "team": TEAM_ID},
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": block_id,
                "text": {"type": "plain_text", "text": action_id, "emoji": True},
                "value": value,
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def view_submission(callback_id: str, private_metadata: str, values: Event, user_id: str) -> bytes:
    """A modal's Submit (`view_submission`), form-encoded as `payload=<json>` like Slack sends it.

    `values` is the view state, `{block_id: {action_id: {"type": ..., <value field>: ...}}}`.
    """
    payload: Event = {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
        "user": {"id": user_id, "username": f"user-{user_id.lower()}", "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": "13345224609.738474920.8088930838d88f008e1",
        "view": {
            "id": "V0TESTVIEW",
            "team_id": TEAM_ID,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "state": {"values": values},
            "hash": "1700000000.abcdef",
            "app_id": APP_ID,
            "bot_id": BOT_ID,
        },
        "response_urls": [],
        "is_enterprise_install": False,
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def url_verification(challenge: str) -> bytes:
    """The handshake Slack sends when the Request URL is saved; the app echoes `challenge`."""
    payload = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
    return json.dumps(payload).encode()


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests assert on responses, not on access logs."""


@contextmanager
def serve_bolt_app(app: App, path: str = "/slack/events") -> Iterator[str]:
    """Serve `app` on 127.0.0.1 (a free port) through Bolt's WSGI adapter; yields the events URL.

    wsgiref stands in for a production WSGI server (gunicorn) here; the adapter is the same.
    """
    server = make_server(
        "127.0.0.1",
        0,
        SlackRequestHandler(app, path=path),
        server_class=_ThreadingWSGIServer,
        handler_class=_QuietHandler,
    )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="bolt-app", daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}{path}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
