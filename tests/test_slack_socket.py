"""Socket Mode end to end (issue 15): the real Bolt app dials a Socket Mode server on 127.0.0.1
over a real WebSocket, acknowledges each envelope, and answers through the Web API double."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

import pytest

from bot.answering import Answerer
from bot.desk import Desk
from bot.records.answers import AnswerLog
from bot.records.deliveries import Deliveries
from bot.slack.app import build_app
from bot.slack.settings import SlackSettings
from bot.slack.socket import socket_mode_handler
from bot.wording import FAILED
from index.library import Library
from index.settings import Settings
from ingest.settings import IngestSettings
from tests.support import slack_requests as slack
from tests.support.doubles import HashEmbedder
from tests.support.slack_bot import TOKEN
from tests.support.slack_socket import SlackSocketServer
from tests.support.slack_web_api import SlackWebAPI

APP_TOKEN = "xapp-1-test-token"
QUESTION = "Do family group conferences reduce the number of children entering care?"


@pytest.fixture
def connected(
    hash_samples: tuple[Settings, HashEmbedder],
) -> Iterator[tuple[SlackWebAPI, SlackSocketServer]]:
    settings, embedder = hash_samples
    library = Library(settings, embedder)
    with SlackWebAPI(bot_token=TOKEN) as web_api, SlackSocketServer() as server:
        web_api.socket_url = server.url
        app = build_app(
            SlackSettings(api_url=web_api.url, bot_token=TOKEN, app_token=APP_TOKEN),
            settings.home / "inbox",
            IngestSettings().max_bytes,
            Desk(Answerer(library, settings.min_score), AnswerLog(library.catalog)),
            Deliveries(library.catalog),
        )
        handler = socket_mode_handler(app, APP_TOKEN)
        handler.connect()
        try:
            server.wait_connected()
            yield web_api, server
        finally:
            handler.close()
            library.close()


def event_payload(event: dict[str, Any], event_id: str) -> dict[str, Any]:
    return json.loads(slack.event_callback(event, event_id=event_id))


def test_an_event_over_socket_mode_is_acknowledged_and_answered(
    connected: tuple[SlackWebAPI, SlackSocketServer],
) -> None:
    web_api, server = connected
    assert web_api.calls_to("apps.connections.open")  # dialled in with the app-level token
    event = slack.im_message_event(QUESTION, user="U1", channel="D1", ts="1700000001.000100")
    envelope = server.send("events_api", event_payload(event, "Ev1"))
    assert server.ack_for(envelope)["envelope_id"] == envelope
    (answer,) = web_api.wait_for("chat.postMessage", timeout=30)
    assert answer.params["channel"] == "D1"
    assert "family group conference" in json.dumps(answer.params).casefold()
    assert FAILED not in answer.params["text"]


def test_a_slash_command_over_socket_mode_is_acked_with_its_reply(
    connected: tuple[SlackWebAPI, SlackSocketServer],
) -> None:
    web_api, server = connected
    body = slack.slash_command(
        "/evidence", QUESTION, user_id="U1", channel_id="C1",
        response_url=web_api.root + "/api/response.hook", trigger_id="T1",
    )  # fmt: skip
    envelope = server.send("slash_commands", dict(parse_qsl(body.decode())))
    ack = server.ack_for(envelope)
    assert "Looking in the library" in json.dumps(ack.get("payload", {}))
    (reply,) = web_api.wait_for("response.hook", timeout=30)
    assert "family group conference" in json.dumps(reply.params).casefold()
