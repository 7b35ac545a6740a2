"""The Teams endpoint refuses oversized, slow and malformed bodies at once, and keeps serving.

The bot's real aiohttp app on 127.0.0.1 (anonymous access, so the bodies reach the checks that
come after the token check too); raw sockets for what no HTTP client would send.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from index.settings import Settings
from tests.support import teams_activities as teams
from tests.support.doubles import HashEmbedder
from tests.support.teams_bot import RunningBot, running_teams_bot
from tests.support.teams_connector import BotConnector


@pytest.fixture
def bot(hash_samples: tuple[Settings, HashEmbedder]) -> Iterator[RunningBot]:
    with running_teams_bot(*hash_samples, read_timeout=1.0) as running:
        yield running


def status_line(bot: RunningBot, request: bytes, *, wait: float = 5.0) -> bytes:
    """Send `request` as is; the first line of the reply."""
    port = urlsplit(bot.url).port
    assert port is not None
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as connection:
        connection.sendall(request)
        return connection.recv(65536).split(b"\r\n")[0]


HEAD = b"POST /api/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"


def test_a_huge_declared_body_gets_413_at_once(bot: RunningBot) -> None:
    started = time.monotonic()
    line = status_line(bot, HEAD + b"Content-Length: 2147483648\r\n\r\n")
    assert b" 413 " in line and time.monotonic() - started < 2.0


def test_a_stalled_body_gets_408_while_others_are_served(
    bot: RunningBot, connector: BotConnector
) -> None:
    port = urlsplit(bot.url).port
    assert port is not None
    with socket.create_connection(("127.0.0.1", port), timeout=10) as stalled:
        stalled.sendall(HEAD + b'Content-Length: 100\r\n\r\n{"type":')
        activity = teams.message("What helps social workers stay?", connector.url)
        assert teams.post(bot.url, activity)[0] == 202  # served meanwhile
        started = time.monotonic()
        assert b" 408 " in stalled.recv(65536).split(b"\r\n")[0]
        assert time.monotonic() - started < 5.0


def test_a_body_that_is_not_json_gets_400(bot: RunningBot) -> None:
    body = b'{"type": "message", '
    line = status_line(bot, HEAD + b"Content-Length: %d\r\n\r\n" % len(body) + body)
    assert b" 400 " in line


@pytest.mark.parametrize(
    "service_url",
    [
        "https://evil.example/",
        "https://smba.trafficmanager.net.evil.example/amer/",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
    ],
)
def test_an_activity_naming_another_service_host_is_refused_and_not_answered(
    bot: RunningBot, connector: BotConnector, service_url: str
) -> None:
    """The SDK would send the reply, with the bot's token, to the activity's serviceUrl."""
    activity = teams.message("What helps social workers stay?", service_url)
    status, body = teams.post(bot.url, activity)
    assert status == 403 and "serviceUrl" in body["error"]
    assert connector.requests == []


def test_the_documented_bot_connector_hosts_are_the_default() -> None:
    from bot.teams.server import MICROSOFT

    assert MICROSOFT.allows("https://smba.trafficmanager.net/emea/")
    assert MICROSOFT.allows("https://smba.infra.gcc.teams.microsoft.com/gcc/")
    assert not MICROSOFT.allows("http://smba.trafficmanager.net/emea/")
    assert not MICROSOFT.allows("https://127.0.0.1:3978/")
