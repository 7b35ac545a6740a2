"""`evidence slack serve` (HTTP mode, the Procfile's web:) and `evidence slack socket` (worker:)."""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import Any

from index import Settings


def slack_command(settings: Settings, args: argparse.Namespace) -> int:
    missing = [
        name
        for name, value in (
            ("SLACK_BOT_TOKEN", settings.slack_bot_token),
            (
                "SLACK_SIGNING_SECRET",
                settings.slack_signing_secret if args.mode == "serve" else "-",
            ),
            ("SLACK_APP_TOKEN", settings.slack_app_token if args.mode == "socket" else "-"),
        )
        if not value
    ]
    if missing:
        print(f"evidence slack {args.mode}: set {', '.join(missing)} first", file=sys.stderr)
        return 2
    app = build(settings)
    if args.mode == "socket":
        from bot.slack.socket import run_socket_mode

        print("Slack Socket Mode: connecting", flush=True)
        run_socket_mode(app, settings.slack_app_token or "")
        return 0
    from bot.slack.http import make_http_server

    server = make_http_server(app, args.host, settings.port)
    print(f"Slack HTTP mode: POST /slack/events on {args.host}:{server.server_port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


def build(settings: Settings) -> Any:
    """The Bolt app over the library in `settings.home`, with the model loaded up front."""
    from bot.slack.app import build_app
    from bot.slack.staff import Staff
    from evidence.chat import open_chat

    chat = open_chat(settings)
    staff = Staff(settings.staff_ids)
    return build_app(settings, chat.desk, chat.deliveries, staff=staff, load=chat.load)
