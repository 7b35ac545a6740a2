"""Evidence staff loading documents through Slack: files sent in a DM, and /evidence-admin.

Only people on the staff allow-list (Slack user ids, or members of a Slack user group) may load
or remove evidence; anyone else gets a polite refusal and nothing is downloaded. Downloading and
loading are the chat core's (`bot.uploads`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from bot import administration
from bot.slack.blocks import escape_mrkdwn
from bot.uploads import Inbox, SentFile
from bot.wording import UPLOAD_REFUSED
from index import Library

log = logging.getLogger(__name__)


class Staff:
    """The allow-list: user ids ("U...") and user groups ("S...")."""

    def __init__(self, members: Sequence[str]) -> None:
        self.users = {m for m in members if not m.startswith("S")}
        self.groups = [m for m in members if m.startswith("S")]

    def includes(self, client: Any, user: str | None) -> bool:
        if not user:
            return False
        if user in self.users:
            return True
        for group in self.groups:
            try:
                if user in client.usergroups_users_list(usergroup=group).get("users", []):
                    return True
            except Exception:  # the scope may be missing: fall back to the plain ids
                log.warning("could not read members of user group %s", group)
        return False


def receive_files(
    client: Any, event: dict[str, Any], staff: Staff, token: str, inbox: Inbox
) -> None:
    """Handle a `file_share` DM: refuse non-staff; otherwise download, load and report each file."""
    channel, user = event["channel"], event.get("user")
    thread_ts = event.get("thread_ts") or event["ts"]
    if not staff.includes(client, user):  # nothing is downloaded
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=UPLOAD_REFUSED)
        return
    sent = [
        SentFile(
            f.get("name") or "file", f.get("url_private_download", ""), f.get("id", "F"), token
        )
        for f in event.get("files") or []
    ]
    for received in inbox.receive(sent):
        # The name is safe already; the summary carries the document's own title.
        text = f"*{received.name}*: {escape_mrkdwn(received.summary)}"
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text)


def admin_reply(library: Library, text: str) -> str:
    """`/evidence-admin list | remove ID | stats`, answered as plain mrkdwn text."""
    return administration.admin_reply(
        library,
        text.split(),
        unknown_hint="try `/evidence-admin list`.",
        usage="Usage: `/evidence-admin list`, `/evidence-admin remove ID`, `/evidence-admin stats`",
        set_out=lambda listing: f"```{listing}```",
        escape=escape_mrkdwn,
    )
