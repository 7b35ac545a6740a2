"""`evidence slack serve` (HTTP mode, the Procfile's web:) and `evidence slack socket` (worker:)."""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import Any

from evidence.settings import ProcessSettings


def slack_command(process: ProcessSettings, args: argparse.Namespace) -> int:
    slack = process.slack
    missing = [
        name
        for name, value in (
            ("SLACK_BOT_TOKEN", slack.bot_token),
            (
                "SLACK_SIGNING_SECRET",
                slack.signing_secret if args.mode == "serve" else "-",
            ),
            ("SLACK_APP_TOKEN", slack.app_token if args.mode == "socket" else "-"),
        )
        if not value
    ]
    if missing:
        print(f"evidence slack {args.mode}: set {', '.join(missing)} first", file=sys.stderr)
        return 2
    app = build(process)
    if args.mode == "socket":
        from bot.slack.socket import run_socket_mode

        print("Slack Socket Mode: connecting", flush=True)
        run_socket_mode(app, slack.app_token or "")
        return 0
    from bot.slack.http import make_http_server

    server = make_http_server(app, args.host, process.port)
    print(f"Slack HTTP mode: POST /slack/events on {args.host}:{server.server_port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


def build(process: ProcessSettings) -> Any:
    """The Bolt app over the library in `process.library.home`, with the model loaded up front."""
    from bot.slack.app import build_app
    from bot.slack.staff import Staff
    from evidence.chat import open_chat

    chat = open_chat(process)
    staff = Staff(process.slack.staff_ids)
    return build_app(
        process.slack,
        process.library.home / "inbox",
        process.ingest.max_bytes,
        chat.desk,
        chat.deliveries,
        staff=staff,
        load=chat.load,
    )
