"""Bot Connector tokens, really signed: the valid one is let in, every kind of bad one gets 401,
quickly, also when the key service is slow. A local key server stands for Microsoft's."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from bot.teams.keys import BoundedKeys
from bot.teams.server import Credentials
from index.settings import Settings
from tests.support import teams_activities as teams
from tests.support.doubles import HashEmbedder
from tests.support.key_server import KeyServer, new_key
from tests.support.teams_bot import RunningBot, running_teams_bot
from tests.support.teams_connector import BotConnector

CLIENT = "11111111-2222-3333-4444-555555555555"
TENANT = "66666666-7777-8888-9999-000000000000"
CONNECTOR_ISSUER = "https://api.botframework.com"
# Where the SDK looks for keys: the Bot Connector's, and the tenant's for Entra-issued tokens.
ENDPOINTS = (
    "https://login.botframework.com/v1/.well-known/keys",
    f"https://login.microsoftonline.com/{TENANT}/discovery/v2.0/keys",
)
CREDENTIALS = Credentials(client_id=CLIENT, client_secret="not-a-real-secret", tenant_id=TENANT)


@pytest.fixture
def keys() -> Iterator[KeyServer]:
    with KeyServer() as server:
        yield server


@pytest.fixture
def bot(hash_samples: tuple[Settings, HashEmbedder], keys: KeyServer) -> Iterator[RunningBot]:
    bounded = BoundedKeys(timeout=1.0, endpoints=dict.fromkeys(ENDPOINTS, keys.url))
    with running_teams_bot(*hash_samples, credentials=CREDENTIALS, keys=bounded) as running:
        yield running


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"iss": CONNECTOR_ISSUER, "aud": CLIENT, "iat": now, "nbf": now, "exp": now + 600}
    return base | changes


def post(bot: RunningBot, connector: BotConnector, token: str) -> tuple[int, float]:
    activity = teams.message("What helps social workers stay?", connector.url)
    started = time.monotonic()
    status, _ = teams.post(bot.url, activity, {"Authorization": f"Bearer {token}"})
    return status, time.monotonic() - started


def test_a_valid_token_is_let_in(bot: RunningBot, connector: BotConnector, keys: KeyServer) -> None:
    """Past the token check; replying then needs Entra for the bot's own token, which this
    machine cannot reach: that ends in 503 (Teams redelivers), never in 401 or 500."""
    status, _ = post(bot, connector, keys.token(claims()))
    assert status in (202, 503)
    assert keys.fetches >= 1  # the signature was checked against the key server's key


@pytest.mark.parametrize(
    "bad",
    ["expired", "wrong-audience", "wrong-issuer", "forged", "unknown-key", "not-yet-valid"],
)
def test_each_kind_of_bad_token_gets_401_quickly(
    bot: RunningBot, connector: BotConnector, keys: KeyServer, bad: str
) -> None:
    now = int(time.time())
    token = {
        "expired": lambda: keys.token(claims(iat=now - 7200, nbf=now - 7200, exp=now - 3600)),
        "wrong-audience": lambda: keys.token(claims(aud="another-bot")),
        "wrong-issuer": lambda: keys.token(claims(iss="https://evil.example")),
        "forged": lambda: keys.token(claims(), key=new_key()),  # the right kid, another key
        "unknown-key": lambda: keys.token(claims(), kid="no-such-key"),
        "not-yet-valid": lambda: keys.token(claims(nbf=now + 3600, iat=now + 3600)),
    }[bad]()
    status, seconds = post(bot, connector, token)
    assert status == 401, bad
    assert seconds < 5.0
    time.sleep(0.2)
    assert connector.requests == []  # nothing was answered


def test_a_slow_key_service_ends_in_401_within_the_bound(
    bot: RunningBot, connector: BotConnector, keys: KeyServer
) -> None:
    keys.delay = 4.0
    status, seconds = post(bot, connector, keys.token(claims()))
    assert status == 401
    assert seconds < 3.5  # the fetch is given 1 s (and 1 s more for the thread), not PyJWT's 30 s
