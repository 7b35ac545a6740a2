"""No user input or library text is echoed into a Slack message as live markup (issue 15).

The real Slack bot over HTTP, its library holding a document whose title and sentences carry
Slack broadcast and user mentions, Slack and Markdown links; a question carrying the same. Every
message the bot sends is read back from the Web API double: none may contain the markup live.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.slack.staff import Staff
from evidence.chat import file_loader
from index.library import Library
from index.settings import Settings
from ingest.job import ingest
from tests.support import slack_requests as slack
from tests.support.doubles import HashEmbedder
from tests.support.slack_bot import SECRET, TOKEN, running_bot
from tests.support.slack_web_api import SlackWebAPI

STAFF = "USTAFF"
HOSTILE = "<!channel> <!here> <@U999> <#C42|general> <https://evil.example|click> [here](https://evil.example)"
# Live Slack markup: not escaped, either as an entity (`&lt;`) or by Markdown's backslash (`\<`)
LIVE = re.compile(r"(?<!\\)<[!@#]|(?<!\\)<https?:")
# A live Markdown link, where Markdown renders (the note's Markdown block, the note's file)
LIVE_MARKDOWN = re.compile(r"(?<!\\)\[here(?<!\\)\]\(")

DOCUMENT = f"""# Kinship support {HOSTILE}

## Support for kinship carers

Kinship carers need a named support worker within the first month of the placement {HOSTILE}.
The support worker visits the kinship carers every two weeks while the placement settles.
"""


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "kinship.md").write_text(DOCUMENT, encoding="utf-8")
    settings = Settings(home=folder / "library")
    opened = Library(settings, HashEmbedder())
    assert ingest(opened, [folder / "kinship.md"]).count("added") == 1
    opened.close()
    return settings


@pytest.fixture
def bot_url(library: Settings, web_api: SlackWebAPI) -> Iterator[str]:
    embedder = HashEmbedder()
    load = file_loader(library, embedder)
    with running_bot(
        library, web_api.url, TOKEN, SECRET, embedder, staff=Staff((STAFF,)), load=load
    ) as url:
        yield url


def sent_text(call: Any) -> str:
    """Everything a call to the Web API would show: its text and its blocks."""
    blocks = call.params.get("blocks") or []
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    return str(call.params.get("text", "")) + json.dumps(blocks, ensure_ascii=False)


def assert_inert(text: str, *, markdown: bool = False) -> None:
    for live in (LIVE, LIVE_MARKDOWN) if markdown else (LIVE,):
        assert not live.search(text), live.search(text)


def post(url: str, body: bytes | str, kind: str) -> tuple[int, bytes]:
    return slack.signed_post(url, body, kind, SECRET)


def test_a_hostile_question_and_hostile_library_text_are_shown_inert(
    bot_url: str, web_api: SlackWebAPI
) -> None:
    question = f"<@UBOT> When do kinship carers need a named support worker? {HOSTILE}"
    event = slack.im_message_event(question, user="U1", channel="D1", ts="1700000001.000100")
    status, _ = post(bot_url, slack.event_callback(event, event_id="Ev1"), "application/json")
    assert status == 200
    (answer,) = web_api.wait_for("chat.postMessage", timeout=30)
    shown = sent_text(answer)
    assert "named support worker" in shown  # the hostile sentence was quoted…
    assert "&lt;!channel&gt;" in shown  # …with its markup shown as text
    assert_inert(shown)


def test_the_supervision_note_of_a_hostile_answer_is_inert(
    bot_url: str, web_api: SlackWebAPI
) -> None:
    question = f"When do kinship carers need a named support worker? {HOSTILE}"
    event = slack.im_message_event(question, user="U1", channel="D2", ts="1700000002.000100")
    post(bot_url, slack.event_callback(event, event_id="Ev2"), "application/json")
    (answer,) = web_api.wait_for("chat.postMessage", timeout=30)
    answer_id = button_value(answer, "supervision_note")
    body = slack.block_action(
        "supervision_note", str(answer_id), user_id="U1", channel_id="D2",
        message_ts="1700000002.000100", response_url=web_api.root + "/api/response.hook",
    )  # fmt: skip
    assert post(bot_url, body, "application/x-www-form-urlencoded")[0] == 200
    note = web_api.wait_for("chat.postMessage", count=2, timeout=30)[-1]
    shown = sent_text(note)
    assert "Supervision note" in shown and "named support worker" in shown
    assert_inert(shown, markdown=True)
    web_api.wait_for("files.completeUploadExternal")
    (upload,) = web_api.calls_to("upload")
    assert_inert(upload.body.decode(), markdown=True)


def test_the_slash_command_acknowledgement_does_not_echo_live_markup(
    bot_url: str, web_api: SlackWebAPI
) -> None:
    body = slack.slash_command(
        "/evidence", f"kinship support worker {HOSTILE}", user_id="U1", channel_id="C1",
        response_url=web_api.root + "/api/response.hook", trigger_id="T1",
    )  # fmt: skip
    status, ack = post(bot_url, body, "application/x-www-form-urlencoded")
    assert status == 200 and b"Looking in the library" in ack
    assert_inert(ack.decode())
    (reply,) = web_api.wait_for("response.hook", timeout=30)
    assert_inert(sent_text(reply))


def test_staff_replies_carry_hostile_titles_inert(
    bot_url: str, web_api: SlackWebAPI, tmp_path: Path
) -> None:
    page = f"# Loaded title {HOSTILE}\n\nThe placement review happens every six months.\n"
    url = web_api.add_file("F1/download/review.md", page.encode(), "text/markdown")
    files = [slack.shared_file("F1", "review.md", url, user=STAFF)]
    event = slack.im_message_event("", user=STAFF, channel="D3", ts="1700000003.1", files=files)
    post(bot_url, slack.event_callback(event, event_id="Ev3"), "application/json")
    (loaded,) = web_api.wait_for("chat.postMessage", timeout=60)
    assert "added" in loaded.params["text"]
    assert_inert(sent_text(loaded))

    body = slack.slash_command(
        "/evidence-admin", "list", user_id=STAFF, channel_id="C1",
        response_url="http://127.0.0.1:9/unused", trigger_id="T2",
    )  # fmt: skip
    assert post(bot_url, body, "application/x-www-form-urlencoded")[0] == 200
    (listing,) = web_api.wait_for("chat.postEphemeral", timeout=30)
    assert "Kinship support" in listing.params["text"]
    assert_inert(sent_text(listing))


def test_a_file_link_to_another_host_is_not_fetched(bot_url: str, web_api: SlackWebAPI) -> None:
    files = [slack.shared_file("F2", "x.pdf", "http://localhost:9/steal.pdf", user=STAFF)]
    event = slack.im_message_event("", user=STAFF, channel="D4", ts="1700000004.1", files=files)
    post(bot_url, slack.event_callback(event, event_id="Ev4"), "application/json")
    (reply,) = web_api.wait_for("chat.postMessage", timeout=30)
    assert "own file storage" in reply.params["text"]
    assert web_api.calls_to("download") == []


def button_value(call: Any, action_id: str) -> int:
    blocks = call.params.get("blocks") or []
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    for block in blocks:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return int(element["value"])
    raise AssertionError(f"no {action_id} button")
