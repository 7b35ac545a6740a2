"""Socket Mode: the bot dials out to Slack, so it needs no public URL (the Procfile's worker:)."""

from __future__ import annotations

from typing import Any


def socket_mode_handler(app: Any, app_token: str) -> Any:
    """Bolt's Socket Mode handler for `app`: `connect()` dials in, `close()` hangs up."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    return SocketModeHandler(app, app_token)


def run_socket_mode(app: Any, app_token: str) -> None:
    """Connect with the app-level token and serve until stopped."""
    socket_mode_handler(app, app_token).start()
