"""Socket Mode: the bot dials out to Slack, so it needs no public URL (the Procfile's worker:)."""

from __future__ import annotations

from typing import Any


def run_socket_mode(app: Any, app_token: str) -> None:
    """Connect with the app-level token and serve until stopped."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    SocketModeHandler(app, app_token).start()
