"""The Teams bot end to end: real aiohttp app on 127.0.0.1, Activity JSON in, replies captured.

Replies are captured both ways the SDK sends them: in the HTTP response body when the activity
asks for `deliveryMode: expectReplies`, and POSTed to a recording Bot Connector given as
`serviceUrl` otherwise. Every test runs on SQLite and on PostgreSQL (the `settings` fixture).
"""

from __future__ import annotations

import json
import time
from typing import Any

from bot.teams.cards import NO_EVIDENCE_HEADER
from bot.teams.citations import problems
from bot.wording import HELP
from index.settings import Settings
from tests.support import teams_activities as teams
from tests.support.doubles import HashEmbedder
from tests.support.teams_activities import FGC, card_of, card_text, citations_of, messages_in
from tests.support.teams_bot import RunningBot, running_teams_bot
from tests.support.teams_connector import BotConnector


def test_personal_chat_answer_posted_to_the_connector_with_valid_citations(
    running: RunningBot, connector: BotConnector
) -> None:
    activity = teams.message(FGC, connector.url)
    status, body = teams.post(running.url, activity)
    assert status == 202 and body is None  # acknowledged at once, answered in the background
    (reply,) = connector.wait_for(1)
    assert reply.path.endswith(f"/activities/{activity['id']}")
    assert reply.conversation == activity["conversation"]["id"]
    sent = reply.body
    claims = citations_of(sent)
    assert claims and problems(claims, sent["text"]) == []
    assert "Family group conferences at the edge of care" in " ".join(
        c["appearance"]["name"] for c in claims
    )
    card = card_of(sent)
    text = card_text(card)
    assert "Evidence type: research report" in text
    assert "SAMPLE MATERIAL, NOT EVIDENCE" in text
    assert [a["title"] for a in card["actions"]] == ["Share in a channel", "Supervision note"]
    assert sent["channelData"]["feedbackLoop"] == {"type": "default"}  # Teams' own 👍/👎
    assert connector.activities("typing")  # the typing indicator while it worked


def test_expect_replies_come_back_in_the_response_body(
    running: RunningBot, connector: BotConnector
) -> None:
    activity = teams.message(FGC, connector.url, expect_replies=True)
    status, body = teams.post(running.url, activity)
    assert status == 200
    (sent,) = messages_in(body)
    assert sent["replyToId"] == activity["id"]
    claims = citations_of(sent)
    assert 1 <= len(claims) <= 20 and problems(claims, sent["text"]) == []
    assert [c["position"] for c in claims] == list(range(1, len(claims) + 1))
    assert "“" in card_text(card_of(sent))  # the full quotes are in the card
    time.sleep(0.3)
    assert connector.activities() == []  # nothing went to the Bot Connector


def test_redelivery_is_answered_once_even_across_two_processes(
    running: RunningBot, connector: BotConnector, hash_samples: tuple[Settings, HashEmbedder]
) -> None:
    activity = teams.message("What helps social workers stay in their jobs?", connector.url)
    with running_teams_bot(*hash_samples) as second:  # the same library and catalog
        statuses = [teams.post(running.url, activity)[0]]
        statuses += [teams.post(url, activity)[0] for url in (second.url, running.url, second.url)]
        assert statuses == [202] * 4  # Teams gets its prompt answer every time
        connector.wait_for(1)
    time.sleep(0.5)  # any second answer would have been sent by now (both bots have drained)
    assert len(connector.activities()) == 1


def test_no_evidence_looks_different_from_an_answer(
    running: RunningBot, connector: BotConnector
) -> None:
    activity = teams.message("How do I bake sourdough bread?", connector.url, expect_replies=True)
    _, body = teams.post(running.url, activity)
    (sent,) = messages_in(body)
    assert sent["text"].startswith("**No evidence in the library.**")
    assert citations_of(sent) == []  # no [n] claims: nothing is offered as evidence
    card = card_of(sent)
    assert card["body"][0]["style"] == "warning"
    assert NO_EVIDENCE_HEADER in card_text(card)
    assert "Evidence from the library" not in card_text(card)


def test_channel_mention_is_answered_in_its_thread_and_a_follow_up_keeps_the_question(
    running: RunningBot, connector: BotConnector
) -> None:
    root = teams.message(FGC, connector.url, kind="channel", key="practice")
    assert teams.post(running.url, root)[0] == 202
    (answer,) = connector.wait_for(1)
    assert answer.path.endswith(f"/activities/{root['id']}")
    assert answer.conversation == root["conversation"]["id"]  # the thread: ;messageid=root
    assert "Share in a channel" not in card_text(card_of(answer.body))  # already in a channel
    record = running.answers.get(card_of(answer.body)["actions"][0]["data"]["answer_id"])
    assert record is not None and record.question == FGC  # the @mention is not in the question
    assert record.thread == root["id"] and record.user == "aad-practitioner"

    # "Who should be invited?" on its own finds nothing; in the thread it is read with its
    # opening question, so it is answered from the family group conference evaluation.
    alone = teams.message("Who should be invited?", connector.url, kind="channel", key="other")
    follow_up = teams.message(
        "Who should be invited?", connector.url, kind="channel", key="practice", root=root["id"]
    )
    for activity in (alone, follow_up):
        assert teams.post(running.url, activity)[0] == 202
    connector.wait_for(3)
    by_thread = {r.conversation: r.body for r in connector.activities()[1:]}
    assert not citations_of(by_thread[alone["conversation"]["id"]])
    names = [
        c["appearance"]["name"] for c in citations_of(by_thread[follow_up["conversation"]["id"]])
    ]
    assert any(name.startswith("Family group conferences") for name in names)


def test_group_chat_follow_up_is_read_with_the_askers_last_question(
    running: RunningBot, connector: BotConnector
) -> None:
    first = teams.message(
        FGC, connector.url, kind="groupChat", key="team-leads", expect_replies=True
    )
    then = teams.message(
        "Who should be invited?", connector.url, kind="groupChat", key="team-leads",
        expect_replies=True,
    )  # fmt: skip
    someone_else = teams.message(
        "Who should be invited?", connector.url, kind="groupChat", key="team-leads",
        sender=teams.user("aad-other", "Alex Other"), expect_replies=True,
    )  # fmt: skip
    bodies = [teams.post(running.url, a)[1] for a in (first, then, someone_else)]
    sent = [messages_in(body)[0] for body in bodies]
    assert citations_of(sent[0]) and citations_of(sent[1])
    assert not citations_of(sent[2])  # another person's question is not their context


def test_old_feedback_buttons_still_record_and_a_group_chat_gets_the_note_as_text(
    running: RunningBot, connector: BotConnector
) -> None:
    question = teams.message(FGC, connector.url, kind="groupChat", key="leads", expect_replies=True)
    _, body = teams.post(running.url, question)
    (sent,) = messages_in(body)
    answer_id = card_of(sent)["actions"][0]["data"]["answer_id"]

    # Cards posted before Teams' own feedback buttons carry 👍/👎 verbs: they still work.
    status, response = teams.post(
        running.url, teams.card_action("feedback_up", {"answer_id": answer_id}, connector.url)
    )
    assert status == 200
    assert response["type"] == "application/vnd.microsoft.activity.message"
    record = running.answers.get(answer_id)
    assert record is not None and record.feedback == "up"

    data = {"answer_id": answer_id, "note": "Wrong family, they live at SW1A 1AA"}
    teams.post(running.url, teams.card_action("feedback_down", data, connector.url))
    record = running.answers.get(answer_id)
    assert record is not None and record.feedback == "down"
    assert record.feedback_note == "Wrong family, they live at [postcode]"

    press = teams.card_action(
        "supervision_note", {"answer_id": answer_id}, connector.url, kind="groupChat", key="leads"
    )
    for _ in range(2):  # a pressed button redelivered posts the note once
        status, response = teams.post(running.url, press)
        assert status == 200 and response["value"] == "Supervision note posted below."
    (note,) = connector.wait_for(1)
    assert note.body["textFormat"] == "plain"
    assert note.body["text"].startswith("# Supervision note")
    assert (
        FGC in note.body["text"]
        and "Family group conferences at the edge of care" in note.body["text"]
    )
    time.sleep(0.3)
    assert connector.requests == [note]  # no file consent outside a personal chat


def test_share_posts_a_personal_answer_where_its_asker_mentions_the_bot(
    running: RunningBot, connector: BotConnector
) -> None:
    _, body = teams.post(running.url, teams.message(FGC, connector.url, expect_replies=True))
    (sent,) = messages_in(body)
    answer_id = card_of(sent)["actions"][0]["data"]["answer_id"]

    def share(kind: str, sender: dict[str, Any]) -> dict[str, Any]:
        activity = teams.message(
            f"share {answer_id}", connector.url, kind=kind, key="team", sender=sender,
            expect_replies=True,
        )  # fmt: skip
        _, reply = teams.post(running.url, activity)
        (message,) = messages_in(reply)
        return message

    shared = share("channel", teams.user())
    assert "Shared by Sam Practitioner" in card_text(card_of(shared))
    assert problems(citations_of(shared), shared["text"]) == [] and citations_of(shared)
    refused = share("channel", teams.user("aad-other", "Alex Other"))
    assert refused["text"] == "Only the person who asked can share this answer."
    assert "Share in a channel" in share("personal", teams.user())["text"]


def test_personal_details_are_redacted_in_the_record_and_the_asker_is_reminded(
    running: RunningBot, connector: BotConnector
) -> None:
    question = (
        "Jayden Smith (DOB 03/04/2015) lives at SW1A 1AA: how should reflective supervision work?"
    )
    _, body = teams.post(running.url, teams.message(question, connector.url, expect_replies=True))
    messages = messages_in(body)
    assert "don't share details that could identify" in messages[-1]["text"]
    answer_id = card_of(messages[0])["actions"][0]["data"]["answer_id"]
    record = running.answers.get(answer_id)
    assert record is not None and "SW1A" not in record.question and "Jayden" not in record.question
    assert "[postcode]" in record.question and "SW1A" not in json.dumps(record.answer)


def test_a_bare_mention_gets_help(running: RunningBot, connector: BotConnector) -> None:
    activity = teams.message("", connector.url, kind="channel", key="help", expect_replies=True)
    _, body = teams.post(running.url, activity)
    assert [a["text"] for a in messages_in(body)] == [HELP]
