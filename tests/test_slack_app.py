"""The Slack bot end to end over real HTTP on 127.0.0.1, with a recording Slack Web API double."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.slack.staff import Staff
from bot.wording import UPLOAD_REFUSED as REFUSAL
from evidence.chat import file_loader
from index.library import Library
from index.settings import Settings
from ingest.job import ingest
from tests.support import slack_requests as slack
from tests.support.slack_bot import SECRET, TOKEN, running_bot
from tests.support.slack_web_api import SlackWebAPI

ROOT = Path(__file__).resolve().parents[1]
STAFF = "USTAFF"


@pytest.fixture(scope="module")
def sample_library(tmp_path_factory: pytest.TempPathFactory, real_embedder: Any) -> Settings:
    settings = Settings(home=tmp_path_factory.mktemp("slack") / "library")
    library = Library(settings, real_embedder)
    report = ingest(library, [ROOT / "samples"])
    assert report.count("added") == 7
    library.close()
    return settings


@pytest.fixture
def bot_url(sample_library: Settings, web_api: SlackWebAPI, real_embedder: Any) -> Iterator[str]:
    with running_bot(
        sample_library,
        web_api.url,
        TOKEN,
        SECRET,
        real_embedder,
        staff=Staff((STAFF,)),
        load=file_loader(sample_library, real_embedder),
    ) as url:
        yield url


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


def test_missing_signature_headers_get_401_and_a_replay_gets_no_second_answer(
    bot_url: str, web_api: SlackWebAPI
) -> None:
    import urllib.error
    import urllib.request

    event = slack.im_message_event(
        "What helps social workers stay in their jobs?", user="U1", channel="D7", ts="1.7"
    )
    body = slack.event_callback(event, event_id="Ev7")
    stamp = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
    for headers in (
        {"X-Slack-Request-Timestamp": stamp},  # no signature
        {"X-Slack-Signature": signature},  # no timestamp
        {},
    ):
        request = urllib.request.Request(
            bot_url, data=body, method="POST",
            headers={"Content-Type": "application/json", **headers},
        )  # fmt: skip
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        refused.value.close()  # its connection, else a ResourceWarning in some later test
        assert refused.value.code == 401
    # The same signed request twice (a replay within Slack's five minutes): one answer only.
    assert post_event(bot_url, event, "Ev7") == 200
    web_api.wait_for("chat.postMessage")
    assert post_event(bot_url, event, "Ev7") == 200
    time.sleep(0.5)
    assert len(web_api.calls_to("chat.postMessage")) == 1


def test_off_topic_question_says_no_evidence(bot_url: str, web_api: SlackWebAPI) -> None:
    event = slack.app_mention_event(
        "<@UBOT> How do I bake sourdough bread?", user="U1", channel="C4", ts="1700000004.1"
    )
    assert post_event(bot_url, event, "Ev6") == 200
    (post,) = web_api.wait_for("chat.postMessage")
    assert "No evidence in the library" in all_text(blocks_of(post.params)) + post.params["text"]


def ask_by_command(
    url: str, web_api: SlackWebAPI, question: str, user: str, channel: str, trigger: str
) -> bytes:
    """`/evidence QUESTION`, signed, its reply going to the double's response URL; the ack."""
    body = slack.slash_command(
        "/evidence", question, user_id=user, channel_id=channel,
        response_url=web_api.root + "/api/response.hook", trigger_id=trigger,
    )  # fmt: skip
    status, ack = slack.signed_post(url, body, "application/x-www-form-urlencoded", SECRET)
    assert status == 200
    return ack


FRONT_DOOR = "What should happen when a referral comes in to the front door?"


def test_slash_command_acks_then_responds(bot_url: str, web_api: SlackWebAPI) -> None:
    ack = ask_by_command(bot_url, web_api, FRONT_DOOR, "U1", "C5", "T1")
    assert b"Looking in the library" in ack
    (hook,) = web_api.wait_for("response.hook")
    assert "front door" in all_text(blocks_of(hook.params)).casefold()


def test_a_slash_command_reply_rate_limited_by_slack_is_sent_again(
    bot_url: str, web_api: SlackWebAPI
) -> None:
    """Slack answers the response_url 429 twice (Retry-After: 1): the answer still arrives."""
    web_api.rate_limit("response.hook", times=2, retry_after=1)
    ask_by_command(bot_url, web_api, FRONT_DOOR, "U1", "C5", "T-429")
    hooks = web_api.wait_for("response.hook", count=3, timeout=30)  # two refused, then sent
    assert "front door" in all_text(blocks_of(hooks[-1].params)).casefold()


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


def last_answer_id(web_api: SlackWebAPI, method: str = "chat.postMessage") -> int:
    call = web_api.calls_to(method)[-1]
    for block in blocks_of(call.params):
        if block.get("type") == "actions":
            return int(block["elements"][0]["value"])
    raise AssertionError("no buttons under the answer")


def press(url: str, action_id: str, answer_id: int, channel: str, web_api: SlackWebAPI) -> int:
    body = slack.block_action(
        action_id,
        str(answer_id),
        user_id="U123",
        channel_id=channel,
        message_ts="1700000000.000100",
        response_url=web_api.root + "/api/response.hook",
    )
    status, _ = slack.signed_post(url, body, "application/x-www-form-urlencoded", SECRET)
    return status


def audit_rows(settings_home: Settings) -> list[Any]:
    from sqlalchemy import select

    from bot.records.tables import AnswerRow
    from index.catalog import Catalog

    catalog = Catalog(settings_home.catalog_url)
    with catalog.session() as session:
        rows = list(session.scalars(select(AnswerRow).order_by(AnswerRow.id)))
    catalog.close()
    return rows


def test_feedback_is_stored_and_not_helpful_asks_what_was_wrong(
    bot_url: str, web_api: SlackWebAPI, sample_library: Settings
) -> None:
    event = slack.app_mention_event(
        "<@UBOT> What helps social workers stay in their jobs?",
        user="U123", channel="C7", ts="1700000007.000100",
    )  # fmt: skip
    assert post_event(bot_url, event, "Ev8") == 200
    web_api.wait_for("chat.postMessage")
    answer_id = last_answer_id(web_api)
    assert press(bot_url, "feedback_up", answer_id, "C7", web_api) == 200
    web_api.wait_for("response.hook")
    assert press(bot_url, "feedback_down", answer_id, "C7", web_api) == 200
    (opened,) = web_api.wait_for("views.open")
    view = (
        json.loads(opened.params["view"])
        if isinstance(opened.params["view"], str)
        else (opened.params["view"])
    )
    assert view["private_metadata"] == str(answer_id)
    row = next(r for r in audit_rows(sample_library) if r.id == answer_id)
    assert row.feedback == "down"
    assert row.user == "U123" and row.channel == "C7"
    assert row.answer["citations"]


def test_personal_details_are_redacted_in_the_audit_record(
    bot_url: str, web_api: SlackWebAPI, sample_library: Settings
) -> None:
    event = slack.app_mention_event(
        "<@UBOT> Jayden Smith (DOB 03/04/2015) lives at 12 Park Road, LS1 4AB: "
        "what helps at the front door?",
        user="U123", channel="C8", ts="1700000008.000100",
    )  # fmt: skip
    assert post_event(bot_url, event, "Ev9") == 200
    web_api.wait_for("chat.postMessage")
    (reminder,) = web_api.wait_for("chat.postEphemeral")
    assert "identify a child" in reminder.params["text"]
    row = audit_rows(sample_library)[-1]
    for detail in ("Jayden", "Smith", "03/04/2015", "Park Road", "LS1 4AB"):
        assert detail not in row.question
        assert detail not in json.dumps(row.answer)
    assert "[postcode]" in row.question
    assert set(row.redacted) >= {"name", "date of birth", "postcode"}


def test_private_answer_can_be_shared_in_channel(bot_url: str, web_api: SlackWebAPI) -> None:
    question = "How should a team lead run reflective supervision?"
    ask_by_command(bot_url, web_api, question, "U123", "C9", "T9")
    web_api.wait_for("response.hook")
    answer_id = last_answer_id(web_api, "response.hook")
    assert press(bot_url, "share_in_channel", answer_id, "C9", web_api) == 200
    (shared,) = web_api.wait_for("chat.postMessage")
    assert shared.params["channel"] == "C9"
    text = all_text(blocks_of(shared.params))
    assert "Shared by <@U123>" in text
    assert "Reflective supervision: a practice guide" in text


def test_supervision_note_is_posted_and_uploaded(bot_url: str, web_api: SlackWebAPI) -> None:
    event = slack.im_message_event(
        "Do family group conferences reduce the number of children entering care?",
        user="U123", channel="D2", ts="1700000010.000100",
    )  # fmt: skip
    assert post_event(bot_url, event, "Ev10") == 200
    web_api.wait_for("chat.postMessage")
    answer_id = last_answer_id(web_api)
    assert press(bot_url, "supervision_note", answer_id, "D2", web_api) == 200
    posts = web_api.wait_for("chat.postMessage", count=2)
    note = all_text(blocks_of(posts[-1].params))
    assert "Supervision note" in note
    assert "Library version" in note
    assert "p. " in note  # page numbers in the citations
    (_complete,) = web_api.wait_for("files.completeUploadExternal")
    uploads = web_api.calls_to("upload")
    assert uploads and b"# Supervision note" in uploads[-1].body


def upload_event(web_api: SlackWebAPI, user: str, ts: str, content: bytes, kind: str) -> dict:
    url = web_api.add_file(f"F{ts}/download/permits.pdf", content, kind)
    files = [slack.shared_file(f"F{ts}", "permits.pdf", url, user=user)]
    return slack.im_message_event("", user=user, channel="D9", ts=ts, files=files)


def admin(url: str, text: str, user: str) -> bytes:
    body = slack.slash_command(
        "/evidence-admin", text, user_id=user, channel_id="C10",
        response_url="http://127.0.0.1:9/unused", trigger_id=f"T-{text}-{user}",
    )  # fmt: skip
    status, ack = slack.signed_post(url, body, "application/x-www-form-urlencoded", SECRET)
    assert status == 200
    return ack


def test_staff_upload_is_loaded_answered_from_and_removable(
    bot_url: str, web_api: SlackWebAPI, tmp_path: Path, sample_library: Settings
) -> None:
    from tests.support import factories

    pdf = factories.make_pdf(
        tmp_path / "permits.pdf",
        [["# Parking permits", "Staff parking permits at Westmere are renewed every April by the "
          "facilities team, and visitors sign in at reception."]],
        title="Westmere parking permits",
    ).read_bytes()  # fmt: skip
    event = upload_event(web_api, STAFF, "1700000020.000100", pdf, "application/pdf")
    assert post_event(bot_url, event, "Ev20") == 200
    (reply,) = web_api.wait_for("chat.postMessage", timeout=60)
    assert "permits.pdf" in reply.params["text"] and "added" in reply.params["text"]
    question = slack.im_message_event(
        "When are staff parking permits renewed?", user="U1", channel="D9", ts="1700000021.1"
    )
    assert post_event(bot_url, question, "Ev21") == 200
    answer = web_api.wait_for("chat.postMessage", count=2)[-1]
    assert "renewed every April" in all_text(blocks_of(answer.params))

    assert b"documents" not in admin(bot_url, "stats", STAFF)  # acked empty, answered apart
    (stats,) = web_api.wait_for("chat.postEphemeral")
    assert "8 documents" in stats.params["text"]
    doc_id = uploaded_document_id(sample_library)
    admin(bot_url, f"remove {doc_id}", STAFF)
    removed = web_api.wait_for("chat.postEphemeral", count=2)[-1]
    assert f"Removed document {doc_id}" in removed.params["text"]


def uploaded_document_id(settings: Settings) -> int:
    from index.catalog import Catalog

    catalog = Catalog(settings.catalog_url)
    try:
        return next(d.id for d in catalog.documents() if d.source.endswith("permits.pdf"))
    finally:
        catalog.close()


def test_uploads_and_admin_commands_from_others_are_refused(
    bot_url: str, web_api: SlackWebAPI
) -> None:
    event = upload_event(web_api, "U999", "1700000030.000100", b"%PDF-1.4 x", "application/pdf")
    assert post_event(bot_url, event, "Ev30") == 200
    (reply,) = web_api.wait_for("chat.postMessage")
    assert reply.params["text"] == REFUSAL
    assert web_api.calls_to("download") == []
    assert REFUSAL.encode() in admin(bot_url, "remove 1", "U999")
    time.sleep(0.3)
    assert web_api.calls_to("chat.postEphemeral") == []


def test_a_login_page_instead_of_the_file_is_reported(bot_url: str, web_api: SlackWebAPI) -> None:
    page = b"<!DOCTYPE html><html><body>Sign in to Slack</body></html>"
    event = upload_event(web_api, STAFF, "1700000040.000100", page, "text/html; charset=utf-8")
    assert post_event(bot_url, event, "Ev40") == 200
    (reply,) = web_api.wait_for("chat.postMessage")
    assert "login page" in reply.params["text"]
    assert "not added" in reply.params["text"]


def test_evidence_slack_serve_runs_the_bot_from_the_environment(
    sample_library: Settings, web_api: SlackWebAPI
) -> None:
    """The Procfile's web: process, started as a platform would start it."""
    import os
    import re
    import subprocess
    import sys

    env = {
        **os.environ,
        "EVIDENCE_HOME": str(sample_library.home),
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": web_api.url,
        "PORT": "0",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "evidence", "slack", "serve", "--host", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        port = re.search(r"127\.0\.0\.1:(\d+)", line)
        assert port, line + (process.stderr.read() if process.stderr else "")
        url = f"http://127.0.0.1:{port.group(1)}/slack/events"
        status, body = slack.signed_post(
            url, slack.url_verification("abc123"), "application/json", SECRET
        )
        assert status == 200 and b"abc123" in body
        event = slack.app_mention_event(
            "<@UBOT> What helps social workers stay in their jobs?",
            user="U1", channel="C11", ts="1700000050.000100",
        )  # fmt: skip
        assert post_event(url, event, "Ev50") == 200
        (post,) = web_api.wait_for("chat.postMessage", timeout=60)
        assert "What helps social workers stay?" in all_text(blocks_of(post.params))
    finally:
        process.terminate()
        process.communicate(timeout=10)  # reaps it and closes its pipes


def test_evidence_slack_without_tokens_says_what_to_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from evidence.cli import run

    assert run(["--home", str(tmp_path), "slack", "socket"], {}) == 2
    assert "SLACK_BOT_TOKEN, SLACK_APP_TOKEN" in capsys.readouterr().err


def submit(url: str, callback_id: str, answer_id: int, values: dict[str, Any]) -> int:
    body = slack.view_submission(callback_id, str(answer_id), values, user_id="U123")
    status, _ = slack.signed_post(url, body, "application/x-www-form-urlencoded", SECRET)
    return status


def test_what_was_wrong_note_is_stored_redacted(
    bot_url: str, web_api: SlackWebAPI, sample_library: Settings
) -> None:
    event = slack.app_mention_event(
        "<@UBOT> What should happen when a referral comes in to the front door?",
        user="U123", channel="C12", ts="1700000060.000100",
    )  # fmt: skip
    assert post_event(bot_url, event, "Ev60") == 200
    web_api.wait_for("chat.postMessage")
    answer_id = last_answer_id(web_api)
    text = {
        "what": {"text": {"type": "plain_text_input", "value": "Wrong guide; call 07700 900123"}}
    }
    assert submit(bot_url, "feedback_note", answer_id, text) == 200
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        row = next(r for r in audit_rows(sample_library) if r.id == answer_id)
        if row.feedback_note:
            break
        time.sleep(0.1)
    assert row.feedback == "down"
    assert row.feedback_note == "Wrong guide; call [phone]"


def test_answer_in_a_direct_message_is_shared_in_the_chosen_channel(
    bot_url: str, web_api: SlackWebAPI
) -> None:
    event = slack.im_message_event(
        "What helps social workers stay in their jobs?",
        user="U123", channel="D13", ts="1700000070.000100",
    )  # fmt: skip
    assert post_event(bot_url, event, "Ev70") == 200
    web_api.wait_for("chat.postMessage")
    answer_id = last_answer_id(web_api)
    assert press(bot_url, "share_in_channel", answer_id, "D13", web_api) == 200
    (opened,) = web_api.wait_for("views.open")
    assert "conversations_select" in json.dumps(opened.params)
    where = {"where": {"channel": {"type": "conversations_select", "selected_conversation": "C13"}}}
    assert submit(bot_url, "share_where", answer_id, where) == 200
    shared = web_api.wait_for("chat.postMessage", count=2)[-1]
    assert shared.params["channel"] == "C13"
    assert "Shared by <@U123>" in all_text(blocks_of(shared.params))
