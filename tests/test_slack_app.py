"""The Slack bot end to end over real HTTP on 127.0.0.1, with a recording Slack Web API double."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.answering import Answerer
from bot.slack.app import build_app
from bot.slack.http import make_http_server
from index.deliveries import Deliveries
from index.library import Library
from index.settings import Settings
from ingest.job import ingest
from tests import slack_requests as slack
from tests.slack_web_api import SlackWebAPI

ROOT = Path(__file__).resolve().parents[1]
SECRET = "test-signing-secret"
TOKEN = "xoxb-test-token"


@pytest.fixture(scope="module")
def sample_library(tmp_path_factory: pytest.TempPathFactory, real_embedder: Any) -> Settings:
    settings = Settings(home=tmp_path_factory.mktemp("slack") / "library")
    library = Library(settings, real_embedder)
    report = ingest(library, [ROOT / "samples"])
    assert report.count("added") == 7
    library.close()
    return settings


@pytest.fixture
def web_api() -> Iterator[SlackWebAPI]:
    with SlackWebAPI(bot_token=TOKEN) as server:
        yield server


@pytest.fixture
def bot_url(sample_library: Settings, web_api: SlackWebAPI, real_embedder: Any) -> Iterator[str]:
    settings = sample_library.model_copy(
        update={
            "slack_api_url": web_api.url,
            "slack_bot_token": TOKEN,
            "slack_signing_secret": SECRET,
        }
    )
    library = Library(settings, real_embedder)
    app = build_app(settings, Answerer(library, settings.min_score), Deliveries(library.catalog))
    server = make_http_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/slack/events"
    server.shutdown()
    server.server_close()
    library.close()


def blocks_of(params: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = params.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else list(blocks)


def all_text(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def post_event(url: str, event: dict[str, Any], event_id: str, **kwargs: Any) -> int:
    body = slack.event_callback(event, event_id=event_id)
    status, _ = slack.signed_post(url, body, "application/json", SECRET, **kwargs)
    return status


def test_mention_is_answered_in_its_thread_with_citations(
    bot_url: str, web_api: SlackWebAPI
) -> None:
    event = slack.app_mention_event(
        "<@UBOT> Do family group conferences reduce the number of children entering care?",
        user="U123",
        channel="C1",
        ts="1700000000.000100",
    )
    assert post_event(bot_url, event, "Ev1") == 200
    (post,) = web_api.wait_for("chat.postMessage")
    assert post.params["channel"] == "C1"
    assert post.params["thread_ts"] == "1700000000.000100"
    text = all_text(blocks_of(post.params))
    assert "Family group conferences at the edge of care" in text
    assert "p. " in text  # a PDF source is cited with its page
    assert "[1]" in text
    web_api.wait_for("reactions.remove")
    assert web_api.calls_to("reactions.add")[0].params["name"] == "eyes"


def test_direct_message_is_answered(bot_url: str, web_api: SlackWebAPI) -> None:
    event = slack.im_message_event(
        "How should a team lead run reflective supervision?",
        user="U123",
        channel="D1",
        ts="1700000001.000100",
    )
    assert post_event(bot_url, event, "Ev2") == 200
    (post,) = web_api.wait_for("chat.postMessage")
    assert post.params["channel"] == "D1"
    assert "Reflective supervision: a practice guide" in all_text(blocks_of(post.params))


def test_retries_and_duplicates_get_200_and_one_answer(bot_url: str, web_api: SlackWebAPI) -> None:
    event = slack.app_mention_event(
        "<@UBOT> What helps social workers stay in their jobs?",
        user="U123",
        channel="C2",
        ts="1700000002.000100",
    )
    statuses = [post_event(bot_url, event, "Ev3")]
    statuses += [post_event(bot_url, event, "Ev3", retry_num=n) for n in (1, 2, 3)]
    as_message = dict(event, type="message", channel_type="channel")
    statuses.append(post_event(bot_url, as_message, "Ev4"))
    assert statuses == [200] * 5
    web_api.wait_for("chat.postMessage")
    time.sleep(1.0)  # give any duplicate listener time to post
    assert len(web_api.calls_to("chat.postMessage")) == 1


def test_bad_signature_and_stale_timestamp_get_401_and_no_work(
    bot_url: str, web_api: SlackWebAPI
) -> None:
    event = slack.app_mention_event("<@UBOT> supervision", user="U1", channel="C3", ts="1.1")
    body = slack.event_callback(event, event_id="Ev5")
    status, _ = slack.signed_post(bot_url, body, "application/json", "wrong-secret")
    assert status == 401
    stale = int(time.time()) - 600
    status, _ = slack.signed_post(bot_url, body, "application/json", SECRET, timestamp=stale)
    assert status == 401
    time.sleep(0.5)
    assert web_api.calls_to("chat.postMessage") == []


def test_off_topic_question_says_no_evidence(bot_url: str, web_api: SlackWebAPI) -> None:
    event = slack.app_mention_event(
        "<@UBOT> How do I bake sourdough bread?", user="U1", channel="C4", ts="1700000004.1"
    )
    assert post_event(bot_url, event, "Ev6") == 200
    (post,) = web_api.wait_for("chat.postMessage")
    assert "No evidence in the library" in all_text(blocks_of(post.params)) + post.params["text"]


def test_slash_command_acks_then_responds(bot_url: str, web_api: SlackWebAPI) -> None:
    response_url = web_api.root + "/api/response.hook"
    body = slack.slash_command(
        "/evidence",
        "What should happen when a referral comes in to the front door?",
        user_id="U1",
        channel_id="C5",
        response_url=response_url,
        trigger_id="T1",
    )
    status, ack = slack.signed_post(bot_url, body, "application/x-www-form-urlencoded", SECRET)
    assert status == 200
    assert b"Looking in the library" in ack
    (hook,) = web_api.wait_for("response.hook")
    assert "front door" in all_text(blocks_of(hook.params)).casefold()


def test_thread_follow_up_reads_the_opening_question(bot_url: str, web_api: SlackWebAPI) -> None:
    web_api.set_replies(
        "C6",
        "1700000006.000100",
        [
            {
                "ts": "1700000006.000100",
                "user": "U1",
                "text": "<@UBOT> Do family group conferences work?",
            }
        ],
    )
    event = slack.app_mention_event(
        "<@UBOT> and what did they cost?",
        user="U1",
        channel="C6",
        ts="1700000006.000200",
        thread_ts="1700000006.000100",
    )
    assert post_event(bot_url, event, "Ev7") == 200
    (post,) = web_api.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == "1700000006.000100"
    assert web_api.calls_to("conversations.replies")
    assert "Family group conferences" in all_text(blocks_of(post.params))
