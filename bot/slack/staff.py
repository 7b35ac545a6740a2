"""Evidence staff loading documents through Slack: files sent in a DM, and /evidence-admin.

Only people on the staff allow-list (Slack user ids, or members of a Slack user group) may load
or remove evidence; anyone else gets a polite refusal and nothing is downloaded. Loading itself is
injected (`load`), so this adapter never imports the ingestion package.
"""

from __future__ import annotations

import logging
import re
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bot import administration
from index.library import Library

log = logging.getLogger(__name__)
Load = Callable[[Path], str]  # ingest one file, return a one-line summary for the chat
REFUSAL = (
    "Sorry, only the evidence team can add documents to the library. "
    "If you think something should be in it, please tell them."
)
MAX_DOWNLOAD = 100 * 1024 * 1024
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


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


def download(url: str, token: str, target: Path) -> str | None:
    """Fetch a Slack file with the bot token; the reason it failed, or None.

    Without the token Slack answers 200 with an HTML login page, so HTML is treated as failure.
    """
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            kind = response.headers.get("Content-Type", "")
            data = response.read(MAX_DOWNLOAD + 1)
    except OSError as error:
        return f"could not download it ({error})"
    if kind.startswith("text/html") or data[:64].lstrip().lower().startswith(
        (b"<!doctype", b"<html")
    ):
        return "Slack sent a login page instead of the file: check the app has the files:read scope"
    if len(data) > MAX_DOWNLOAD:
        return "the file is over 100 MB: split it, or load it with `evidence ingest`"
    target.write_bytes(data)
    return None


def receive_files(
    client: Any, event: dict[str, Any], staff: Staff, token: str, inbox: Path, load: Load
) -> None:
    """Handle a `file_share` DM: refuse non-staff; otherwise download, load and report each file."""
    channel, user = event["channel"], event.get("user")
    thread_ts = event.get("thread_ts") or event["ts"]
    if not staff.includes(client, user):
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=REFUSAL)
        return
    inbox.mkdir(parents=True, exist_ok=True)
    for shared in event.get("files") or []:
        name = SAFE_NAME.sub("_", shared.get("name") or "file")
        target = inbox / f"{shared.get('id', 'F')}-{name}"
        problem = download(shared.get("url_private_download", ""), token, target)
        text = f"*{name}*: not added. {problem}." if problem else f"*{name}*: {load(target)}"
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text)


def admin_reply(library: Library, text: str) -> str:
    """`/evidence-admin list | remove ID | stats`, answered as plain mrkdwn text."""
    return administration.admin_reply(
        library,
        text.split(),
        unknown_hint="try `/evidence-admin list`.",
        usage="Usage: `/evidence-admin list`, `/evidence-admin remove ID`, `/evidence-admin stats`",
        set_out=lambda listing: f"```{listing}```",
    )
