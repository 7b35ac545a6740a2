"""Evidence staff loading documents by sending them to the bot in a Teams personal chat.

Teams delivers a file as an attachment of type `FILE_INFO` whose `downloadUrl` is pre-authorised
and short-lived: a plain GET fetches it, no token. Only staff on the allow-list (Entra object ids)
may load evidence; anyone else gets a polite refusal and nothing is downloaded. Loading itself is
injected (`load`), so this adapter never imports the ingestion package.
"""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Load = Callable[[Path], str]  # ingest one file, return a one-line summary for the chat
FILE_INFO = "application/vnd.microsoft.teams.file.download.info"
REFUSAL = (
    "Sorry, only the evidence team can add documents to the library. "
    "If you think something should be in it, please tell them."
)
NOT_HERE = "Please send documents to me in a personal chat, not in a channel or group chat."
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_HTML_NAMES = (".htm", ".html")


@dataclass(frozen=True)
class SentFile:
    """A file attached to a Teams message."""

    name: str
    url: str
    unique_id: str


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


def download(url: str, target: Path, max_bytes: int) -> str | None:
    """Fetch a file Teams shared; the reason it failed, or None."""
    if not url.lower().startswith(("https://", "http://")):
        return "Teams gave no download link for it"
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            kind = response.headers.get("Content-Type", "")
            data = response.read(max_bytes + 1)
    except OSError as error:
        return f"could not download it ({error})"
    looks_html = kind.startswith("text/html") or data[:64].lstrip().lower().startswith(
        (b"<!doctype", b"<html")
    )
    if looks_html and not target.name.lower().endswith(_HTML_NAMES):
        return "Teams sent a web page instead of the file: send it again"
    if len(data) > max_bytes:
        return f"the file is over {max_bytes // (1024 * 1024)} MB: load it with `evidence ingest`"
    target.write_bytes(data)
    return None


def upload(url: str, data: bytes) -> str | None:
    """PUT a whole file to the upload URL a Teams file consent gave; the reason it failed, or None.

    The URL is a OneDrive upload session: it wants the byte range even for a single request.
    """
    if not url.lower().startswith(("https://", "http://")):
        return "Teams gave no upload link"
    request = urllib.request.Request(
        url,
        data=data,
        method="PUT",
        headers={
            "Content-Length": str(len(data)),
            "Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60):
            return None
    except OSError as error:
        return f"could not upload it ({error})"


def receive(files: Sequence[SentFile], inbox: Path, load: Load, max_bytes: int) -> list[str]:
    """Download and load each file sent by a member of staff; one line to report per file."""
    inbox.mkdir(parents=True, exist_ok=True)
    lines = []
    for sent in files:
        name = SAFE_NAME.sub("_", sent.name)
        target = inbox / f"{SAFE_NAME.sub('_', sent.unique_id)[:40]}-{name}"
        problem = download(sent.url, target, max_bytes)
        lines.append(f"{name}: not added. {problem}." if problem else f"{name}: {load(target)}")
    return lines
