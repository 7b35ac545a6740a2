"""Share, the supervision note file and Teams' own 👍/👎, end to end over HTTP on 127.0.0.1.

The recording Bot Connector is the `serviceUrl` of every conversation and also serves the
OneDrive upload URL of an accepted file consent. Each test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import time
from typing import Any

from bot.teams.citations import problems
from bot.teams.notes import CONSENT_TYPE, FILE_INFO_TYPE
from bot.teams.replies import message_key
from bot.wording import NOT_THERE
from bot.wording import NOTE_DECLINED as DECLINED
from tests.support import teams_activities as teams
from tests.support.teams_activities import FGC, card_of, card_text, citations_of, messages_in
from tests.support.teams_bot import RunningBot
from tests.support.teams_connector import BotConnector

SAM, ALEX = teams.user(), teams.user("aad-other", "Alex Other")


def ask(running: RunningBot, connector: BotConnector, **where: Any) -> tuple[int, dict[str, Any]]:
    """Ask FGC and wait for the reply in the response body: the answer id and its message."""
    _, body = teams.post(
        running.url, teams.message(FGC, connector.url, expect_replies=True, **where)
    )
    sent = messages_in(body)[0]
    return card_of(sent)["actions"][0]["data"]["answer_id"], sent


def share_value(answer_id: int, **inputs: Any) -> dict[str, Any]:
    return {"data": {"verb": "share", "answer_id": answer_id, **inputs}, "context": {}}


def test_share_dialog_offers_where_the_asker_spoke_and_posts_the_answer_there(
    running: RunningBot, connector: BotConnector
) -> None:
    assert teams.post(running.url, teams.bot_added(connector.url, key="practice"))[0] in (200, 202)
    ask(running, connector, kind="groupChat", key="leads")  # Sam spoke there
    ask(running, connector, kind="channel", key="elsewhere", sender=ALEX)  # only Alex did
    answer_id, sent = ask(running, connector)  # in Sam's personal chat
    share = card_of(sent)["actions"][0]
    assert share["type"] == "Action.Submit" and share["data"]["msteams"]["type"] == "task/fetch"

    status, dialog = teams.post(
        running.url, teams.invoke("task/fetch", share_value(answer_id), connector.url)
    )
    assert status == 200 and dialog["task"]["type"] == "continue"
    card = dialog["task"]["value"]["card"]["content"]
    (choices,) = [e["choices"] for e in card["body"] if e["type"] == "Input.ChoiceSet"]
    assert sorted(c["value"] for c in choices) == ["19:leads@thread.v2", "19:practice@thread.tacv2"]
    assert "Children's services › General" in [c["title"] for c in choices]

    someone_else = teams.invoke("task/fetch", share_value(answer_id), connector.url, sender=ALEX)
    assert teams.post(running.url, someone_else)[1]["task"]["value"] == (
        "Only the person who asked can share this answer."
    )
    not_theirs = share_value(answer_id, conversation="19:elsewhere@thread.tacv2")
    _, refused = teams.post(running.url, teams.invoke("task/submit", not_theirs, connector.url))
    assert refused["task"]["value"] == NOT_THERE
    time.sleep(0.3)
    assert connector.activities() == []

    chosen = share_value(answer_id, conversation="19:practice@thread.tacv2")
    status, done = teams.post(running.url, teams.invoke("task/submit", chosen, connector.url))
    assert status == 200 and done["task"]["value"] == "Shared in Children's services › General."
    (posted,) = connector.wait_for(1)
    assert posted.path == "/v3/conversations/19:practice@thread.tacv2/activities"  # a new post
    shared = posted.body
    assert "Shared by Sam Practitioner" in card_text(card_of(shared))
    assert citations_of(shared) and problems(citations_of(shared), shared["text"]) == []
    assert card_of(shared)["actions"] == [] and "channelData" not in shared  # as in Slack


def test_share_dialog_says_how_when_the_bot_knows_nowhere_to_post(
    running: RunningBot, connector: BotConnector
) -> None:
    answer_id, _ = ask(running, connector)
    _, dialog = teams.post(
        running.url, teams.invoke("task/fetch", share_value(answer_id), connector.url)
    )
    card = dialog["task"]["value"]["card"]["content"]
    assert card["actions"] == [] and f"share {answer_id}" in card_text(card)


def test_supervision_note_in_a_personal_chat_is_saved_as_a_file_after_consent(
    running: RunningBot, connector: BotConnector
) -> None:
    answer_id, _ = ask(running, connector)
    press = teams.card_action("supervision_note", {"answer_id": answer_id}, connector.url)
    assert teams.post(running.url, press)[0] == 200
    text, consent = connector.wait_for(2)
    note = text.body["text"]
    assert note.startswith("# Supervision note") and FGC in note
    (card,) = consent.body["attachments"]
    assert card["contentType"] == CONSENT_TYPE
    name = card["name"]
    assert name.startswith("supervision-note-") and name.endswith(f"-{answer_id}.md")
    assert card["content"]["sizeInBytes"] == len(note.encode())

    info = {
        "name": name,
        "uploadUrl": connector.upload_url(name),
        "contentUrl": f"https://contoso-my.sharepoint.com/personal/sam/Documents/Apps/{name}",
        "uniqueId": "5d6e7f",
        "fileType": "md",
    }
    accept = teams.invoke(
        "fileConsent/invoke",
        {"type": "fileUpload", "action": "accept", "context": card["content"]["acceptContext"],
         "uploadInfo": info},
        connector.url,
    )  # fmt: skip
    for _ in range(2):  # a redelivered consent uploads once
        assert teams.post(running.url, accept)[0] == 200
    (upload,) = connector.uploads()
    assert upload.data == note.encode()
    size = len(upload.data)
    assert upload.headers["content-range"] == f"bytes 0-{size - 1}/{size}"
    *_, shown = connector.wait_for(3)
    (file_card,) = shown.body["attachments"]
    assert file_card["contentType"] == FILE_INFO_TYPE
    assert file_card["contentUrl"] == info["contentUrl"] and file_card["name"] == name
    assert file_card["content"]["uniqueId"] == "5d6e7f"

    decline = teams.invoke(
        "fileConsent/invoke",
        {"type": "fileUpload", "action": "decline", "context": {"answer_id": answer_id}},
        connector.url,
    )
    assert teams.post(running.url, decline)[0] == 200
    assert connector.wait_for(4)[-1].body["text"] == DECLINED
    assert len(connector.uploads()) == 1


def test_teams_feedback_buttons_are_stored_in_the_answers_record(
    running: RunningBot, connector: BotConnector
) -> None:
    question = teams.message(FGC, connector.url)
    assert teams.post(running.url, question)[0] == 202
    (answer,) = connector.wait_for(1)
    assert answer.body["channelData"]["feedbackLoop"] == {"type": "default"}
    assert "feedback_up" not in card_text(card_of(answer.body))  # one set of 👍/👎, not two
    answer_id = card_of(answer.body)["actions"][0]["data"]["answer_id"]
    key = message_key(question["conversation"]["id"], answer.id)
    deadline = time.monotonic() + 10
    while running.answers.answer_for_message(key) is None:  # linked once Teams gave the id
        assert time.monotonic() < deadline, "the answer's message was never linked"
        time.sleep(0.05)

    def feedback(reaction: str, text: str | None = None, message: str = answer.id) -> int:
        value: dict[str, Any] = {"actionName": "feedback", "actionValue": {"reaction": reaction}}
        if text is not None:
            value["actionValue"]["feedback"] = json.dumps({"feedbackText": text})
        submit = teams.invoke("message/submitAction", value, connector.url, reply_to=message)
        return teams.post(running.url, submit)[0]

    assert feedback("like") == 200
    record = running.answers.get(answer_id)
    assert record is not None and record.feedback == "up" and record.feedback_note is None
    assert feedback("dislike", "Not this family, they live at SW1A 1AA") == 200
    record = running.answers.get(answer_id)
    assert record is not None and record.feedback == "down"
    assert record.feedback_note == "Not this family, they live at [postcode]"
    assert feedback("like", message="bot-999") == 200  # a message carrying no answer
    record = running.answers.get(answer_id)
    assert record is not None and record.feedback == "down"
