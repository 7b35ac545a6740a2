"""The Slack doubles are honest: real slack_sdk and slack_bolt talk to them over real HTTP."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator

import pytest
from slack_bolt import Ack, App, Say
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from tests.support.slack_requests import (
    FORM,
    JSON,
    app_mention_event,
    block_action,
    event_callback,
    serve_bolt_app,
    signed_post,
    slash_command,
    url_verification,
)
from tests.support.slack_web_api import BOT_USER_ID, DOWNLOAD, TEAM_ID, UPLOAD, SlackWebAPI

TOKEN = "xoxb-test"
SECRET = "test-signing-secret"


@pytest.fixture
def api() -> Iterator[SlackWebAPI]:
    with SlackWebAPI() as server:
        yield server


@pytest.fixture
def client(api: SlackWebAPI) -> WebClient:
    return WebClient(token=TOKEN, base_url=api.url)


def test_auth_test_answers_with_the_bot_identity(client: WebClient) -> None:
    response = client.auth_test()

    assert response["ok"] is True
    assert (response["user_id"], response["team_id"]) == (BOT_USER_ID, TEAM_ID)
    assert response["bot_id"].startswith("B")


def test_post_message_is_recorded_with_params_and_token(
    api: SlackWebAPI, client: WebClient
) -> None:
    first = client.chat_postMessage(channel="C1", text="hello", thread_ts="1700000000.000001")
    second = client.chat_postMessage(channel="C1", text="again")

    [call, _] = api.calls_to("chat.postMessage")
    assert call.params == {"channel": "C1", "text": "hello", "thread_ts": "1700000000.000001"}
    assert call.headers["authorization"] == f"Bearer {TOKEN}"
    assert first["message"]["text"] == "hello"
    assert first["message"]["thread_ts"] == "1700000000.000001"
    assert float(second["ts"]) > float(first["ts"])


def test_slack_errors_come_back_as_ok_false(api: SlackWebAPI, client: WebClient) -> None:
    api.fail("chat.postMessage", error="channel_not_found", times=1)

    with pytest.raises(SlackApiError) as failed:
        client.chat_postMessage(channel="C404", text="hello")
    assert failed.value.response["error"] == "channel_not_found"
    assert client.chat_postMessage(channel="C1", text="hello")["ok"] is True

    with pytest.raises(SlackApiError) as unknown:
        client.api_call("no.such.method")
    assert unknown.value.response["error"] == "unknown_method"

    with pytest.raises(SlackApiError) as unauthenticated:
        WebClient(base_url=api.url).auth_test()
    assert unauthenticated.value.response["error"] == "not_authed"


def test_replies_return_the_preloaded_thread_and_the_bots_answer(
    api: SlackWebAPI, client: WebClient
) -> None:
    parent = "1700000000.000001"
    api.set_replies("C1", parent, [{"ts": parent, "user": "U1", "text": "What helps?"}])
    client.chat_postMessage(channel="C1", text="Three studies", thread_ts=parent)

    messages = client.conversations_replies(channel="C1", ts=parent)["messages"]

    assert [m["text"] for m in messages] == ["What helps?", "Three studies"]
    with pytest.raises(SlackApiError) as missing:
        client.conversations_replies(channel="C1", ts="1.000001")
    assert missing.value.response["error"] == "thread_not_found"


def test_messages_can_be_updated_and_deleted(api: SlackWebAPI, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C1", text="Searching…")["ts"]

    updated = client.chat_update(channel="C1", ts=ts, text="Found 3 studies")
    assert (updated["ts"], updated["message"]["text"]) == (ts, "Found 3 studies")
    assert [m["text"] for m in api.messages("C1")] == ["Found 3 studies"]
    assert client.chat_delete(channel="C1", ts=ts)["ts"] == ts
    assert api.messages("C1") == []
    with pytest.raises(SlackApiError) as gone:
        client.chat_update(channel="C1", ts=ts, text="too late")
    assert gone.value.response["error"] == "message_not_found"
    ephemeral = client.chat_postEphemeral(channel="C1", user="U1", text="Only you")
    assert ephemeral["message_ts"]


def test_users_info_knows_well_formed_ids(api: SlackWebAPI, client: WebClient) -> None:
    api.add_user("U1", real_name="Ada Social-Worker")

    assert client.users_info(user="U1")["user"]["real_name"] == "Ada Social-Worker"
    assert client.users_info(user="W2")["user"]["id"] == "W2"
    with pytest.raises(SlackApiError) as missing:
        client.users_info(user="nobody")
    assert missing.value.response["error"] == "user_not_found"


def test_wait_for_says_what_did_arrive(api: SlackWebAPI, client: WebClient) -> None:
    client.auth_test()

    with pytest.raises(AssertionError, match=r"chat\.postMessage.*auth\.test"):
        api.wait_for("chat.postMessage", timeout=0.1)
    api.reset()
    assert api.calls == []


def test_reactions_are_remembered(client: WebClient) -> None:
    client.reactions_add(channel="C1", timestamp="1.000001", name="eyes")

    with pytest.raises(SlackApiError) as twice:
        client.reactions_add(channel="C1", timestamp="1.000001", name="eyes")
    assert twice.value.response["error"] == "already_reacted"
    assert client.reactions_remove(channel="C1", timestamp="1.000001", name="eyes")["ok"]


def test_files_upload_v2_works_end_to_end(api: SlackWebAPI, client: WebClient) -> None:
    content = b"%PDF-1.4 evidence summary"

    response = client.files_upload_v2(
        channel="C1", content=content, filename="summary.pdf", title="Summary"
    )

    file_id = response["file"]["id"]
    assert [call.method for call in api.calls] == [
        "files.getUploadURLExternal",
        UPLOAD,
        "files.completeUploadExternal",
    ]
    assert api.calls_to(UPLOAD)[0].body == content
    assert api.uploaded(file_id) == content
    assert client.files_info(file=file_id)["file"]["size"] == len(content)
    download = urllib.request.Request(
        response["file"]["url_private_download"], headers={"Authorization": f"Bearer {TOKEN}"}
    )
    with urllib.request.urlopen(download) as downloaded:
        assert downloaded.read() == content
    assert api.messages("C1")[0]["subtype"] == "file_share"


def test_a_429_is_honoured_by_the_rate_limit_retry_handler(api: SlackWebAPI) -> None:
    api.rate_limit("chat.postMessage", times=1, retry_after=1)
    client = WebClient(
        token=TOKEN,
        base_url=api.url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )

    assert client.chat_postMessage(channel="C1", text="hello")["ok"] is True

    limited, accepted = api.calls_to("chat.postMessage")
    assert (limited.status, accepted.status) == (429, 200)
    # Retry-After is a floor the client must respect, not a measure of speed.
    assert accepted.received_at - limited.received_at >= 1


def test_without_the_retry_handler_a_429_is_an_error(api: SlackWebAPI, client: WebClient) -> None:
    api.rate_limit("chat.postMessage", retry_after=7)

    with pytest.raises(SlackApiError) as limited:
        client.chat_postMessage(channel="C1", text="hello")

    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["Retry-After"] == "7"


def test_file_download_needs_the_bot_token(api: SlackWebAPI) -> None:
    url = api.add_file("T1-F1/download/report.pdf", b"%PDF-1.4 report", "application/pdf")

    with urllib.request.urlopen(url) as anonymous:
        assert anonymous.headers.get_content_type() == "text/html"
        assert b"Sign in to Slack" in anonymous.read()
    authorised = urllib.request.Request(url, headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(authorised) as download:
        assert download.headers.get_content_type() == "application/pdf"
        assert download.read() == b"%PDF-1.4 report"
    assert [call.token for call in api.calls_to(DOWNLOAD)] == [None, TOKEN]


@pytest.fixture
def events_url(api: SlackWebAPI) -> Iterator[str]:
    """A minimal Bolt app over real HTTP that answers mentions in their thread."""
    app = App(signing_secret=SECRET, client=WebClient(token=TOKEN, base_url=api.url))

    @app.event("app_mention")
    def answer(event: dict, say: Say) -> None:
        say(text=f"You asked: {event['text']}", thread_ts=event.get("thread_ts") or event["ts"])

    @app.command("/evidence")
    def search(ack: Ack, command: dict) -> None:
        ack(f"Searching for {command['text']} in {command['channel_id']}")

    @app.action("more_studies")
    def more(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        channel, ts = body["container"]["channel_id"], body["container"]["message_ts"]
        client.chat_postMessage(channel=channel, thread_ts=ts, text=body["actions"][0]["value"])

    with serve_bolt_app(app) as url:
        yield url


def mention(text: str) -> bytes:
    return event_callback(app_mention_event(f"<@{BOT_USER_ID}> {text}", "U1", "C1", "1.000001"))


def test_bolt_acks_a_signed_mention_and_its_listener_reaches_the_api(
    api: SlackWebAPI, events_url: str
) -> None:
    status, _ = signed_post(events_url, mention("what works?"), JSON, SECRET)

    assert status == 200
    [call] = api.wait_for("chat.postMessage")
    assert call.params["channel"] == "C1"
    assert call.params["thread_ts"] == "1.000001"
    assert call.params["text"] == f"You asked: <@{BOT_USER_ID}> what works?"
    assert api.calls[0].method == "auth.test"  # Bolt checks its token at start


def test_bolt_rejects_a_bad_signature_and_a_stale_timestamp(
    api: SlackWebAPI, events_url: str
) -> None:
    forged, _ = signed_post(events_url, mention("forged"), JSON, "not-the-secret")
    stale, _ = signed_post(events_url, mention("stale"), JSON, SECRET, int(time.time()) - 301)
    fresh, _ = signed_post(events_url, mention("fresh"), JSON, SECRET)

    assert (forged, stale, fresh) == (401, 401, 200)
    # Once the fresh mention is answered, the rejected ones have had their chance to leak through.
    api.wait_for("chat.postMessage")
    assert [c.params["text"] for c in api.calls_to("chat.postMessage")] == [
        f"You asked: <@{BOT_USER_ID}> fresh"
    ]


def test_bolt_parses_the_form_encoded_command_and_button(api: SlackWebAPI, events_url: str) -> None:
    hook = "https://hooks.slack.com/commands/T0/1/x"
    command = slash_command("/evidence", "kinship care", "U1", "C1", hook)
    click = block_action("more_studies", "page-2", "U1", "C1", "1.000001", hook)

    command_status, command_body = signed_post(events_url, command, FORM, SECRET)
    click_status, _ = signed_post(events_url, click, FORM, SECRET)

    assert command_status == 200
    assert command_body == b"Searching for kinship care in C1"
    assert click_status == 200
    [call] = api.wait_for("chat.postMessage")
    assert (call.params["thread_ts"], call.params["text"]) == ("1.000001", "page-2")


def test_bolt_answers_the_url_verification_handshake(events_url: str) -> None:
    status, body = signed_post(events_url, url_verification("abc123"), JSON, SECRET)

    assert status == 200
    assert json.loads(body) == {"challenge": "abc123"}
