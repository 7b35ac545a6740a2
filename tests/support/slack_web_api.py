"""A small, honest Slack Web API on 127.0.0.1 for tests: records every call, answers like Slack.

Point a real client at it: `WebClient(token="xoxb-test", base_url=api.url)`. It speaks HTTP, takes
JSON or form bodies, wants a bearer token, answers `{"ok": false, "error": ...}` with HTTP 200 the
way Slack does, and HTTP 429 with `Retry-After` when told to rate-limit.

    with SlackWebAPI() as api:
        WebClient(token="xoxb-test", base_url=api.url).chat_postMessage(channel="C1", text="hi")
        [call] = api.wait_for("chat.postMessage")
        assert call.params["text"] == "hi"
"""

from __future__ import annotations

import itertools
import json
import mimetypes
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

TEAM_ID = "T0TESTTEAM"
TEAM_NAME = "Evidence Test Workspace"
TEAM_DOMAIN = "evidence-test"
APP_ID = "A0TESTAPP"
BOT_ID = "B0TESTBOT"
BOT_USER_ID = "UBOT"
BOT_USER_NAME = "evidence-bot"

UPLOAD = "upload"  # the `method` of a Call that POSTed file bytes to an upload_url
DOWNLOAD = "download"  # the `method` of a Call that GOT /files/<path>

LOGIN_PAGE = (
    b"<!DOCTYPE html><html><head><title>Slack</title></head>"
    b"<body><h1>Sign in to Slack</h1><form action='/signin'></form></body></html>"
)
USER_ID = re.compile(r"^[UW][A-Z0-9]+$")

Params = dict[str, Any]


@dataclass(frozen=True)
class Call:
    """One request the server received.

    `method` is the Web API method ("chat.postMessage"), or UPLOAD / DOWNLOAD. `params` merges the
    query string with the JSON or form body (form values are strings, as Slack receives them).
    `headers` has lower-cased names. `status` is the HTTP status the server answered.
    """

    method: str
    params: Params
    headers: dict[str, str]
    body: bytes
    status: int
    received_at: float  # time.monotonic()

    @property
    def token(self) -> str | None:
        """The bearer token of the request, or the `token` body parameter, if any."""
        return _token(self.headers, self.params)


@dataclass
class StoredFile:
    id: str
    name: str
    title: str
    content: bytes = b""
    content_type: str = "application/octet-stream"
    uploaded: bool = False
    extra: Params = field(default_factory=dict)


class SlackWebAPI:
    """A stdlib ThreadingHTTPServer on 127.0.0.1 (a free port) that plays the Slack Web API.

    Args:
        bot_token: when given, only this token is accepted (others get `invalid_auth` and the
            login page); otherwise any `xoxb-` token is.
    """

    def __init__(self, bot_token: str | None = None) -> None:
        self.bot_token = bot_token
        self._lock = threading.Condition()
        self._calls: list[Call] = []
        self._rate_limits: dict[str, list[int]] = {}  # method -> [times left, retry_after]
        self._failures: dict[str, tuple[str, int | None]] = {}  # method -> (error, times left)
        self._messages: dict[str, list[Params]] = {}  # channel -> messages, threads included
        self._reactions: set[tuple[str, str, str]] = set()
        self._users: dict[str, Params] = {}
        self._files: dict[str, StoredFile] = {}
        self._downloads: dict[str, tuple[bytes, str]] = {}  # path -> (content, content type)
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.socket_url: str | None = None  # what apps.connections.open hands out (Socket Mode)
        self._methods: dict[str, Callable[[Params], Params]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "reactions.add": self._reactions_add,
            "reactions.remove": self._reactions_remove,
            "conversations.replies": self._conversations_replies,
            "users.info": self._users_info,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "files.completeUploadExternal": self._files_complete_upload_external,
            "files.info": self._files_info,
            "views.open": self._views_open,
            "apps.connections.open": self._apps_connections_open,
        }

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> SlackWebAPI:
        """Bind 127.0.0.1 on a free port and serve from a daemon thread."""
        handler = type("Handler", (_Handler,), {"api": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="slack-web-api",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> SlackWebAPI:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def root(self) -> str:
        """`http://127.0.0.1:<port>`, no trailing slash."""
        if self._server is None:
            raise RuntimeError("SlackWebAPI is not running: use it as a context manager or start()")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def url(self) -> str:
        """The base URL for `WebClient(base_url=...)`, ending in `/api/`."""
        return f"{self.root}/api/"

    # ---- recorded calls --------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """A snapshot of every request received so far, oldest first."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self._calls if call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10) -> list[Call]:
        """Wait until `method` was called at least `count` times; listeners run after the ack.

        Raises:
            AssertionError: naming the calls that did arrive, if `timeout` seconds pass first.
        """
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                seen = [call for call in self._calls if call.method == method]
                if len(seen) >= count:
                    return seen
                left = deadline - time.monotonic()
                if left <= 0:
                    got = [call.method for call in self._calls]
                    raise AssertionError(
                        f"expected {count} call(s) to {method} within {timeout} s, "
                        f"got {len(seen)}; all calls: {got}"
                    )
                self._lock.wait(left)

    def reset(self) -> None:
        """Forget calls, switches and stored state (messages, reactions, users, files)."""
        with self._lock:
            self._calls.clear()
            self._rate_limits.clear()
            self._failures.clear()
            self._messages.clear()
            self._reactions.clear()
            self._users.clear()
            self._files.clear()
            self._downloads.clear()

    # ---- programming the double -----------------------------------------------------------

    def rate_limit(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """The next `times` calls to `method` answer HTTP 429 with `Retry-After: retry_after`."""
        with self._lock:
            self._rate_limits[method] = [times, retry_after]

    def fail(self, method: str, error: str = "channel_not_found", times: int | None = None) -> None:
        """Calls to `method` answer `{"ok": false, "error": error}` (all of them, or `times`)."""
        with self._lock:
            self._failures[method] = (error, times)

    def set_replies(self, channel: str, thread_ts: str, messages: list[Params]) -> None:
        """Preload a thread for `conversations.replies`: the parent first, then the replies.

        Messages without `ts` get a fresh one; all get `thread_ts` and `type: message`.
        """
        with self._lock:
            stored = self._messages.setdefault(channel, [])
            stored[:] = [m for m in stored if m.get("thread_ts") != thread_ts]
            for message in messages:
                stored.append(
                    {"type": "message", "ts": self._next_ts(), **message, "thread_ts": thread_ts}
                )

    def add_user(self, user_id: str, **fields: Any) -> None:
        """Make `users.info` answer `fields` (merged over a plausible default) for `user_id`."""
        with self._lock:
            self._users[user_id] = {**_default_user(user_id), **fields}

    def add_file(
        self, path: str, content: bytes, content_type: str = "application/octet-stream"
    ) -> str:
        """Serve `content` at `GET /files/<path>` to bearers of a bot token; returns its URL."""
        with self._lock:
            return self._serve_locked(path.lstrip("/"), content, content_type)

    def messages(self, channel: str) -> list[Params]:
        """What the channel holds now: preloaded and posted messages, threads included."""
        with self._lock:
            return [dict(m) for m in self._messages.get(channel, [])]

    def uploaded(self, file_id: str) -> bytes:
        """The bytes uploaded for `file_id` through files_upload_v2."""
        with self._lock:
            return self._files[file_id].content

    # ---- request handling (called from the server's threads) -------------------------------

    def _record(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)
            self._lock.notify_all()

    def _authorised(self, token: str | None) -> str | None:
        """None if the token is acceptable, else Slack's error code."""
        if not token:
            return "not_authed"
        if self.bot_token is not None:
            return None if token == self.bot_token else "invalid_auth"
        return None if token.startswith("xoxb-") else "invalid_auth"

    def _answer_api(self, method: str, params: Params, token: str | None) -> tuple[int, Params]:
        with self._lock:
            limit = self._rate_limits.get(method)
            if limit and limit[0] > 0:
                limit[0] -= 1
                return 429, {"ok": False, "error": "ratelimited", "retry_after": limit[1]}
            # Socket Mode's one call takes the app-level token; everything else the bot token.
            app_level = method == "apps.connections.open" and (token or "").startswith("xapp-")
            denied = None if app_level else self._authorised(token)
            if denied:
                return 200, {"ok": False, "error": denied}
            failure = self._failures.get(method)
            if failure is not None:
                error, times = failure
                if times is None or times > 0:
                    if times is not None:
                        self._failures[method] = (error, times - 1)
                    return 200, {"ok": False, "error": error}
            handler = self._methods.get(method)
            if handler is None:
                return 200, {"ok": False, "error": "unknown_method"}
            try:
                return 200, handler(params)
            except _SlackError as error:
                return 200, {"ok": False, "error": str(error)}

    def _receive_upload(self, file_id: str, body: bytes) -> tuple[int, bytes]:
        with self._lock:
            stored = self._files.get(file_id)
            if stored is None:
                return 404, b"Not Found"
            stored.content = body
            stored.uploaded = True
        return 200, f"OK - {len(body)}".encode()

    def _download(self, path: str, token: str | None) -> tuple[int, bytes, str]:
        if self._authorised(token) is not None:
            # Slack serves its login page, with 200, to requests without the bot's token.
            return 200, LOGIN_PAGE, "text/html; charset=utf-8"
        with self._lock:
            found = self._downloads.get(path)
        if found is None:
            return 404, b"Not Found", "text/plain; charset=utf-8"
        return 200, found[0], found[1]

    # ---- the methods (called with the lock held) -------------------------------------------

    def _serve_locked(self, path: str, content: bytes, content_type: str) -> str:
        self._downloads[path] = (content, content_type)
        return f"{self.root}/files/{quote(path)}"

    def _next_ts(self) -> str:
        micros = 1_700_000_000_000_000 + next(self._ts) * 100
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}0TEST{next(self._ids):05d}"

    def _apps_connections_open(self, params: Params) -> Params:
        if self.socket_url is None:
            raise _SlackError("invalid_auth")
        return {"ok": True, "url": self.socket_url}

    def _auth_test(self, params: Params) -> Params:
        return {
            "ok": True,
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": TEAM_NAME,
            "user": BOT_USER_NAME,
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _message(self, params: Params, ts: str) -> Params:
        message: Params = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": TEAM_ID,
            "text": params.get("text", ""),
            "ts": ts,
        }
        for key in ("blocks", "attachments", "metadata"):
            if params.get(key):
                message[key] = _maybe_json(params[key])
        if params.get("thread_ts"):
            message["thread_ts"] = str(params["thread_ts"])
        return message

    def _chat_post_message(self, params: Params) -> Params:
        channel = _require_channel(params)
        _require_content(params)
        ts = self._next_ts()
        message = self._message(params, ts)
        self._messages.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _chat_post_ephemeral(self, params: Params) -> Params:
        _require_channel(params)
        if not params.get("user"):
            raise _SlackError("user_not_in_channel")
        _require_content(params)
        return {"ok": True, "message_ts": self._next_ts()}

    def _find(self, channel: str, ts: str) -> Params:
        for message in self._messages.get(channel, []):
            if message.get("ts") == ts:
                return message
        raise _SlackError("message_not_found")

    def _chat_update(self, params: Params) -> Params:
        channel = _require_channel(params)
        message = self._find(channel, str(params.get("ts", "")))
        thread_ts = message.get("thread_ts")
        message.clear()
        message.update(self._message(params, str(params["ts"])))
        message["edited"] = {"user": BOT_USER_ID, "ts": self._next_ts()}
        if thread_ts:
            message["thread_ts"] = thread_ts
        return {
            "ok": True,
            "channel": channel,
            "ts": message["ts"],
            "text": message["text"],
            "message": dict(message),
        }

    def _chat_delete(self, params: Params) -> Params:
        channel = _require_channel(params)
        message = self._find(channel, str(params.get("ts", "")))
        self._messages[channel].remove(message)
        return {"ok": True, "channel": channel, "ts": message["ts"]}

    def _reaction(self, params: Params) -> tuple[str, str, str]:
        channel = _require_channel(params)
        name = str(params.get("name", "")).strip(":")
        if not name:
            raise _SlackError("invalid_name")
        timestamp = str(params.get("timestamp", ""))
        if not timestamp:
            raise _SlackError("no_item_specified")
        return channel, timestamp, name

    def _reactions_add(self, params: Params) -> Params:
        key = self._reaction(params)
        if key in self._reactions:
            raise _SlackError("already_reacted")
        self._reactions.add(key)
        return {"ok": True}

    def _reactions_remove(self, params: Params) -> Params:
        key = self._reaction(params)
        if key not in self._reactions:
            raise _SlackError("no_reaction")
        self._reactions.remove(key)
        return {"ok": True}

    def _conversations_replies(self, params: Params) -> Params:
        channel = _require_channel(params)
        ts = str(params.get("ts", ""))
        if not ts:
            raise _SlackError("invalid_arguments")
        thread = [
            m
            for m in self._messages.get(channel, [])
            if m.get("ts") == ts or m.get("thread_ts") == ts
        ]
        if not thread:
            raise _SlackError("thread_not_found")
        thread.sort(key=lambda m: float(m["ts"]))
        return {
            "ok": True,
            "messages": [dict(m) for m in thread],
            "has_more": False,
            "response_metadata": {"next_cursor": ""},
        }

    def _users_info(self, params: Params) -> Params:
        user_id = str(params.get("user", ""))
        user = self._users.get(user_id)
        if user is None and USER_ID.match(user_id):
            user = _default_user(user_id)
        if user is None:
            raise _SlackError("user_not_found")
        return {"ok": True, "user": user}

    def _files_get_upload_url_external(self, params: Params) -> Params:
        filename = str(params.get("filename", ""))
        if not filename or not str(params.get("length", "")).isdigit():
            raise _SlackError("invalid_arguments")
        file_id = self._next_id("F")
        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        self._files[file_id] = StoredFile(file_id, filename, filename, content_type=content_type)
        return {"ok": True, "upload_url": f"{self.root}/upload/v1/{file_id}", "file_id": file_id}

    def _file_object(self, stored: StoredFile) -> Params:
        path = f"{TEAM_ID}-{stored.id}/{stored.name}"
        url = self._serve_locked(path, stored.content, stored.content_type)
        download = self._serve_locked(
            f"{TEAM_ID}-{stored.id}/download/{stored.name}", stored.content, stored.content_type
        )
        return {
            "id": stored.id,
            "created": 1_700_000_000,
            "timestamp": 1_700_000_000,
            "name": stored.name,
            "title": stored.title,
            "mimetype": stored.content_type,
            "filetype": stored.name.rsplit(".", 1)[-1] if "." in stored.name else "binary",
            "user": BOT_USER_ID,
            "size": len(stored.content),
            "url_private": url,
            "url_private_download": download,
            "permalink": f"https://{TEAM_DOMAIN}.slack.com/files/{BOT_USER_ID}/{stored.id}",
            **stored.extra,
        }

    def _files_complete_upload_external(self, params: Params) -> Params:
        try:
            items = _maybe_json(params.get("files", "[]"))
        except ValueError as error:
            raise _SlackError("invalid_arguments") from error
        if not isinstance(items, list) or not items:
            raise _SlackError("invalid_arguments")
        completed = []
        for item in items:
            stored = self._files.get(str(item.get("id")))
            if stored is None or not stored.uploaded:
                raise _SlackError("file_not_found")
            stored.title = item.get("title") or stored.title
            completed.append(self._file_object(stored))
        channel = params.get("channel_id") or params.get("channels")
        if channel:
            message: Params = {
                "type": "message",
                "subtype": "file_share",
                "user": BOT_USER_ID,
                "ts": self._next_ts(),
                "text": params.get("initial_comment", ""),
                "files": completed,
            }
            if params.get("thread_ts"):
                message["thread_ts"] = params["thread_ts"]
            for one in str(channel).split(","):
                self._messages.setdefault(one, []).append(dict(message))
        return {"ok": True, "files": completed}

    def _files_info(self, params: Params) -> Params:
        stored = self._files.get(str(params.get("file", "")))
        if stored is None or not stored.uploaded:
            raise _SlackError("file_not_found")
        return {
            "ok": True,
            "file": self._file_object(stored),
            "comments": [],
            "response_metadata": {"next_cursor": ""},
        }

    def _views_open(self, params: Params) -> Params:
        if not params.get("trigger_id"):
            raise _SlackError("invalid_arguments")
        view = params.get("view")
        view = json.loads(view) if isinstance(view, str) else dict(view or {})
        return {"ok": True, "view": {**view, "id": f"V{next(self._ids):08d}"}}


class _SlackError(Exception):
    """An `{"ok": false, "error": ...}` answer."""


def _require_channel(params: Params) -> str:
    channel = params.get("channel")
    if not channel:
        raise _SlackError("channel_not_found")
    return str(channel)


def _require_content(params: Params) -> None:
    if not any(params.get(key) for key in ("text", "blocks", "attachments")):
        raise _SlackError("no_text")


def _maybe_json(value: Any) -> Any:
    """Form bodies carry lists and objects as JSON strings; JSON bodies carry them as is."""
    return json.loads(value) if isinstance(value, str) else value


def _default_user(user_id: str) -> Params:
    name = f"user-{user_id.lower()}"
    return {
        "id": user_id,
        "team_id": TEAM_ID,
        "name": name,
        "deleted": False,
        "real_name": name.title(),
        "tz": "Europe/London",
        "is_admin": False,
        "is_bot": False,
        "profile": {"real_name": name.title(), "display_name": name, "team": TEAM_ID},
    }


def _parse_params(query: str, body: bytes, content_type: str) -> Params:
    params: Params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    if not body:
        return params
    if content_type.startswith("application/json"):
        parsed = json.loads(body)
        if isinstance(parsed, dict):
            params.update(parsed)
    elif content_type.startswith("application/x-www-form-urlencoded"):
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        params.update({k: v[-1] for k, v in form.items()})
    return params


class _Handler(BaseHTTPRequestHandler):
    api: SlackWebAPI  # set on the subclass made in SlackWebAPI.start()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the recorded calls say what happened."""

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        content_type = headers.get("content-type", "")
        extra_headers: dict[str, str] = {}
        if split.path.startswith("/api/"):
            method = split.path.removeprefix("/api/")
            try:
                params = _parse_params(split.query, body, content_type)
            except (ValueError, UnicodeDecodeError):
                params = {}
                status, answer = 200, {"ok": False, "error": "invalid_json"}
            else:
                token = _token(headers, params)
                status, answer = self.api._answer_api(method, params, token)
            if status == 429:
                extra_headers["Retry-After"] = str(answer.pop("retry_after"))
            payload = json.dumps(answer).encode()
            reply_type = "application/json; charset=utf-8"
        elif split.path.startswith("/upload/v1/") and self.command == "POST":
            method, params = UPLOAD, {"file_id": split.path.removeprefix("/upload/v1/")}
            status, payload = self.api._receive_upload(params["file_id"], body)
            reply_type = "text/plain; charset=utf-8"
        elif split.path.startswith("/files/") and self.command == "GET":
            path = unquote(split.path.removeprefix("/files/"))
            method, params = DOWNLOAD, {"path": path}
            status, payload, reply_type = self.api._download(path, _token(headers, {}))
        else:
            method, params = f"{self.command} {split.path}", {}
            status, payload, reply_type = 404, b"Not Found", "text/plain; charset=utf-8"
        self.api._record(Call(method, params, headers, body, status, time.monotonic()))
        self.send_response(status)
        self.send_header("Content-Type", reply_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in extra_headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


def _token(headers: dict[str, str], params: Params) -> str | None:
    auth = headers.get("authorization", "")
    if auth.startswith("Bearer "):
        return auth.removeprefix("Bearer ")
    token = params.get("token")
    return token if isinstance(token, str) else None
