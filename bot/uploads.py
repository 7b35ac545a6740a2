"""Documents evidence staff send the bot in a chat: downloaded, checked, loaded into the library.

Loading itself is injected (`Load`), so the chat side never imports the ingestion package.
"""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bot import wording

Load = Callable[[Path], str]  # ingest one file, return a one-line summary for the chat
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_HTML_NAMES = (".htm", ".html")


@dataclass(frozen=True)
class SentFile:
    """A file attached to a chat message, and how to fetch it."""

    name: str
    url: str
    unique_id: str
    token: str | None = None  # Slack's files want the bot token; Teams' links are pre-authorised


@dataclass(frozen=True)
class Received:
    """What became of one sent file: its safe name and the line to report."""

    name: str
    added: bool
    summary: str  # the loader's summary, or why it was not added


def looks_like_web_page(content_type: str, data: bytes) -> bool:
    """True for HTML: a platform answers a bad download link with a page, and status 200."""
    return content_type.startswith("text/html") or data[:64].lstrip().lower().startswith(
        (b"<!doctype", b"<html")
    )


def download(sent: SentFile, target: Path, max_bytes: int, platform: str) -> str | None:
    """Fetch a sent file into `target`; the reason it failed, or None."""
    if not sent.url.lower().startswith(("https://", "http://")):
        return wording.NO_LINK.format(platform=platform.capitalize())
    headers = {"Authorization": f"Bearer {sent.token}"} if sent.token else {}
    request = urllib.request.Request(sent.url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            kind = response.headers.get("Content-Type", "")
            data = response.read(max_bytes + 1)
    except OSError as error:
        return wording.NOT_DOWNLOADED.format(error=error)
    # Slack's login page can never be the file; on Teams an .html file is itself a web page.
    html_wanted = platform != "slack" and target.name.lower().endswith(_HTML_NAMES)
    if looks_like_web_page(kind, data) and not html_wanted:
        return wording.WEB_PAGE[platform]
    if len(data) > max_bytes:
        return wording.TOO_BIG.format(mb=max_bytes // (1024 * 1024))
    target.write_bytes(data)
    return None


class Inbox:
    """The folder sent files land in before they are loaded; one per bot process."""

    def __init__(self, folder: Path, load: Load, max_bytes: int, platform: str) -> None:
        self.folder = folder
        self.load = load
        self.max_bytes = max_bytes
        self.platform = platform

    def receive(self, files: Iterable[SentFile]) -> Iterator[Received]:
        """Download and load each file sent by a member of staff, one at a time."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for sent in files:
            name = SAFE_NAME.sub("_", sent.name or "file")
            target = self.folder / f"{SAFE_NAME.sub('_', sent.unique_id)[:40]}-{name}"
            problem = download(sent, target, self.max_bytes, self.platform)
            if problem:
                yield Received(name, False, wording.NOT_ADDED.format(problem=problem))
            else:
                yield Received(name, True, self.load(target))
