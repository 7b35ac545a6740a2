"""Allow-lists of hosts the bot may fetch from or send its tokens to.

A crafted message can carry any URL: a Slack file link pointing at an internal address, a Teams
download link or `serviceUrl` naming another host. Every such URL is checked against the platform's
own hosts first. Entries are host names (`files.slack.com`) or suffix wildcards
(`*.sharepoint.com`, which does not match `sharepoint.com` itself); https only, unless an entry is
written `http://host` (a local test double). A port in an entry must match (`:*` takes any, for
test doubles on free ports); without one, the scheme's default port only.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

DEFAULT_PORTS = {"https": 443, "http": 80}


@dataclass(frozen=True)
class Hosts:
    """Where URLs of one kind may point, read from a comma-separated setting."""

    entries: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Hosts:
        return cls(tuple(e.strip().lower() for e in text.split(",") if e.strip()))

    def allows(self, url: str) -> bool:
        """True when `url` is https (or http for an `http://` entry) on a listed host and port.

        >>> Hosts.parse("files.slack.com, *.sharepoint.com").allows("https://a.sharepoint.com/x")
        True
        >>> Hosts.parse("files.slack.com").allows("https://files.slack.com.evil.example/x")
        False
        """
        try:
            parts = urllib.parse.urlsplit(url.strip())
            port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
        except ValueError:  # a port that is not a number, a bracket left open
            return False
        host = (parts.hostname or "").rstrip(".")
        if not host or parts.username is not None or parts.password is not None:
            return False
        return any(_matches(entry, parts.scheme.lower(), host, port) for entry in self.entries)

    def __str__(self) -> str:
        return ", ".join(self.entries)


def host_of(url: str) -> str:
    """The host name alone, for a log line: never the path or query (a download link's query
    can itself be a credential)."""
    try:
        return urllib.parse.urlsplit(url.strip()).hostname or "(no host)"
    except ValueError:
        return "(unreadable URL)"


def _matches(entry: str, scheme: str, host: str, port: int | None) -> bool:
    wanted_scheme = "https"
    if entry.startswith("http://"):
        wanted_scheme, entry = "http", entry.removeprefix("http://")
    elif entry.startswith("https://"):
        entry = entry.removeprefix("https://")
    name, _, wanted_port = entry.rstrip("/").partition(":")
    if scheme != wanted_scheme:
        return False
    if wanted_port != "*" and port != (
        int(wanted_port) if wanted_port.isdigit() else DEFAULT_PORTS[wanted_scheme]
    ):
        return False
    if name.startswith("*."):
        return host.endswith(name[1:]) and len(host) > len(name) - 1
    return host == name
