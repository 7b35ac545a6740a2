"""Evidence staff loading documents by sending them to the bot in a Teams personal chat.

Teams delivers a file as an attachment of type `FILE_INFO` whose `downloadUrl` is pre-authorised
and short-lived: a plain GET fetches it, no token. Only staff on the allow-list (Entra object ids)
may load evidence; anyone else gets a polite refusal and nothing is downloaded. Downloading and
loading are the chat core's (`bot.uploads`); the supervision note goes back up with `upload`.
"""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Iterable, Sequence
from typing import Any

from bot.hosts import Hosts, host_of
from bot.teams.settings import FILE_HOSTS
from bot.uploads import SentFile

ONEDRIVE = Hosts.parse(FILE_HOSTS)
log = logging.getLogger(__name__)

FILE_INFO = "application/vnd.microsoft.teams.file.download.info"


class Staff:
    """The allow-list: Entra object ids (`from.aadObjectId`), compared without case."""

    def __init__(self, members: Iterable[str]) -> None:
        self.members = {m.strip().casefold() for m in members if m.strip()}

    def includes(self, user: str | None) -> bool:
        return bool(user) and str(user).casefold() in self.members


def sent_files(attachments: Sequence[dict[str, Any]]) -> list[SentFile]:
    """The files among a message's attachments (Teams also attaches the message as HTML)."""
    found = []
    for attachment in attachments:
        content = attachment.get("content") or {}
        if attachment.get("contentType") != FILE_INFO or not isinstance(content, dict):
            continue
        found.append(
            SentFile(
                name=str(attachment.get("name") or "file"),
                url=str(content.get("downloadUrl") or ""),
                unique_id=str(content.get("uniqueId") or "F"),
            )
        )
    return found


def upload(url: str, data: bytes, hosts: Hosts = ONEDRIVE) -> str | None:
    """PUT a whole file to the upload URL a Teams file consent gave; the reason it failed, or None.

    The URL is a OneDrive upload session: it wants the byte range even for a single request. It
    must be on `hosts` (OneDrive for Business), so a crafted consent cannot send the note
    elsewhere.
    """
    if not url.lower().startswith(("https://", "http://")):
        return "Teams gave no upload link"
    if not hosts.allows(url):
        log.warning("refused to upload a note to %s: not a OneDrive host", host_of(url))
        return "the upload link does not point at OneDrive"
    request = urllib.request.Request(
        url,
        data=data,
        method="PUT",
        headers={
            "Content-Length": str(len(data)),
            "Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}",
        },
    )
    try:  # the scheme and host are checked above
        with urllib.request.urlopen(request, timeout=60):  # nosec B310
            return None
    except OSError as error:
        return f"could not upload it ({error})"
