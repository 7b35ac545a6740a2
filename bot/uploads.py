"""Documents evidence staff send the bot in a chat: downloaded, checked, loaded into the library.

Loading itself is injected (`Load`), so the chat side never imports the ingestion package.
"""

from __future__ import annotations

import http.client
import logging
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot import wording
from bot.hosts import Hosts, host_of

Load = Callable[[Path], str]  # ingest one file, return a one-line summary for the chat
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
MAX_NAME = 100
_HTML_NAMES = (".htm", ".html")
_CHUNK = 64 * 1024
log = logging.getLogger(__name__)


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


def download(
    sent: SentFile, target: Path, max_bytes: int, platform: str, rules: Rules
) -> str | None:
    """Fetch a sent file into `target`; the reason it failed, or None.

    Only from `rules.hosts` (each redirect too), with the token sent to those hosts alone, at
    most `max_bytes` counted as they arrive (a declared size is not trusted) and within
    `rules.seconds`. Nothing is left at `target` when it fails.
    """
    if not sent.url.lower().startswith(("https://", "http://")):
        return wording.NO_LINK.format(platform=platform.capitalize())
    if not rules.hosts.allows(sent.url):
        log.warning("refused to fetch a %s file from %s: not one of %s's file hosts (%s)",
                    platform, host_of(sent.url), platform, rules.hosts)  # fmt: skip
        return wording.NOT_FROM_PLATFORM.format(platform=platform.capitalize())
    headers = {"Authorization": f"Bearer {sent.token}"} if sent.token else {}
    opener = urllib.request.build_opener(_CheckedRedirects(rules.hosts, platform))
    partial = target.with_name(target.name + ".part")
    deadline = time.monotonic() + rules.seconds
    try:
        with opener.open(urllib.request.Request(sent.url, headers=headers),
                         timeout=min(rules.seconds, 60)) as response:  # fmt: skip
            problem = _save(response, partial, max_bytes, platform, target.name, deadline)
    except _Refused as refused:
        return str(refused)
    except (OSError, http.client.HTTPException) as error:
        problem = wording.NOT_DOWNLOADED.format(error=_reason(error))
    if problem:
        partial.unlink(missing_ok=True)
        return problem
    partial.replace(target)
    return None


@dataclass(frozen=True)
class Rules:
    """Where a platform's files may come from and how long a download may take."""

    hosts: Hosts
    seconds: float = 120.0


class _Refused(Exception):
    """A download stopped on purpose; its message is the reason for the chat."""


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to another of the platform's hosts (the token goes along)."""

    max_redirections = 5

    def __init__(self, hosts: Hosts, platform: str) -> None:
        self.hosts, self.platform = hosts, platform

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> Any:  # fmt: skip
        if not self.hosts.allows(newurl):
            log.warning("refused a %s file redirect to %s: not one of its file hosts",
                        self.platform, host_of(newurl))  # fmt: skip
            raise _Refused(wording.REDIRECTED.format(platform=self.platform.capitalize()))
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _save(
    response: Any, partial: Path, max_bytes: int, platform: str, name: str, deadline: float
) -> str | None:
    """Stream the body into `partial`; the reason it was refused, or None."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        return wording.TOO_BIG.format(mb=max_bytes // (1024 * 1024))
    kind = response.headers.get("Content-Type", "")
    # read1: whatever has arrived (at most a chunk), so a trickle meets the deadline promptly
    first = response.read1(_CHUNK)
    while 0 < len(first) < 64 and time.monotonic() < deadline:  # enough to tell a web page
        more = response.read1(_CHUNK)
        if not more:
            break
        first += more
    # Slack's login page can never be the file; on Teams an .html file is itself a web page.
    html_wanted = platform != "slack" and name.lower().endswith(_HTML_NAMES)
    if looks_like_web_page(kind, first) and not html_wanted:
        return wording.WEB_PAGE[platform]
    size = len(first)
    with partial.open("wb") as out:
        chunk = first
        while chunk:
            if size > max_bytes:
                return wording.TOO_BIG.format(mb=max_bytes // (1024 * 1024))
            if time.monotonic() > deadline:
                return wording.TOO_SLOW
            out.write(chunk)
            chunk = response.read1(_CHUNK)
            size += len(chunk)
    return None


def _reason(error: Exception) -> str:
    """What went wrong, without the URL (a Teams link's query is a credential)."""
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code}"
    if isinstance(error, urllib.error.URLError):
        return str(error.reason)
    return type(error).__name__ if not str(error) else str(error)


def safe_name(name: str) -> str:
    r"""A sent file's name made fit to be part of a file name and shown in a chat: letters,
    digits, `.`, `_` and `-` only, no leading dots, at most 100 characters, the extension kept.

    >>> safe_name("../../etc/passwd")
    'etc_passwd'
    >>> safe_name("report\x1b[31m.pdf")
    'report_31m.pdf'
    """
    cleaned = SAFE_NAME.sub("_", name).strip("._") or "file"
    stem, dot, extension = cleaned.rpartition(".")
    if not dot or len(extension) > 10:
        return cleaned[:MAX_NAME]
    return f"{stem[: MAX_NAME - len(extension) - 1]}.{extension}"


class Inbox:
    """The folder sent files land in before they are loaded; one per bot process."""

    def __init__(
        self, folder: Path, load: Load, max_bytes: int, platform: str, rules: Rules
    ) -> None:
        self.folder = folder
        self.load = load
        self.max_bytes = max_bytes
        self.platform = platform
        self.rules = rules

    def receive(self, files: Iterable[SentFile]) -> Iterator[Received]:
        """Download and load each file sent by a member of staff, one at a time."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for sent in files:
            name = safe_name(sent.name or "file")
            target = self.folder / f"{SAFE_NAME.sub('_', sent.unique_id)[:40]}-{name}"
            problem = download(sent, target, self.max_bytes, self.platform, self.rules)
            if problem:
                yield Received(name, False, wording.NOT_ADDED.format(problem=problem))
            else:
                yield Received(name, True, self.load(target))
