"""The chat core on its own, on SQLite and PostgreSQL: what every skin relies on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.answering import Answerer
from bot.desk import Desk, Place, Recorded
from bot.records.answers import AnswerLog
from bot.records.conversations import Conversation, Conversations
from bot.wording import GONE, NOT_YOURS
from index.library import Library
from index.settings import Settings
from tests.support.doubles import HashEmbedder

QUESTION = "What helps social workers stay in their jobs?"


@pytest.fixture
def desk(hash_samples: tuple[Settings, HashEmbedder]) -> Iterator[Desk]:
    settings, embedder = hash_samples
    library = Library(settings, embedder)
    answerer = Answerer(library, settings.min_score)
    yield Desk(answerer, AnswerLog(library.catalog), Conversations(library.catalog))
    library.close()


def test_ask_answers_records_redacted_and_reminds(desk: Desk) -> None:
    place = Place("web", "W1", "C1", "U1", private=True)
    asked = desk.ask(f"{QUESTION} The family lives at SW1A 1AA.", place)
    assert asked.answer.answered and asked.remind
    assert "SW1A 1AA" in asked.answer.question  # the asker sees their own words
    assert asked.library_version == desk.answerer.library.version() == 1
    row = desk.answers.get(asked.answer_id)
    assert row is not None and "SW1A 1AA" not in row.question
    assert (row.surface, row.workspace, row.channel, row.user) == ("web", "W1", "C1", "U1")
    assert not desk.ask(QUESTION, place).remind


def test_a_follow_up_is_read_with_the_question_before_it(desk: Desk) -> None:
    thread = Place("teams", "T1", "C1", "U1", thread="root")
    desk.ask(QUESTION, thread)
    desk.ask("And for managers?", thread)
    assert desk.earlier_question(thread) == QUESTION  # a thread's first question
    chat = Place("teams", "T1", "G1", "U2")
    desk.ask(QUESTION, chat)
    desk.ask("And for managers?", chat)
    assert desk.earlier_question(chat) == "And for managers?"  # the asker's latest
    assert desk.earlier_question(Place("teams", "T1", "G1", "U3")) is None


def test_feedback_is_stored_with_personal_details_removed(desk: Desk) -> None:
    answer_id = desk.ask(QUESTION, Place("slack", "W1", "C1", "U1")).answer_id
    assert desk.feedback(answer_id, "down", "wrong for jane@example.org")
    row = desk.answers.get(answer_id)
    assert row is not None and row.feedback == "down"
    assert row.feedback_note is not None and "jane@example.org" not in row.feedback_note
    assert not desk.feedback(9999, "up")
    desk.posted("teams:message-1", answer_id)
    assert desk.message_feedback("teams:message-1", "up")
    assert not desk.message_feedback("teams:unknown", "up")


def test_only_the_asker_may_share(desk: Desk) -> None:
    answer_id = desk.ask(QUESTION, Place("slack", "W1", "D1", "U1", private=True)).answer_id
    shared = desk.shareable(answer_id, "U1")
    assert isinstance(shared, Recorded)
    assert shared.answer.answered and shared.place.user == "U1"
    assert desk.shareable(answer_id, "U2") == NOT_YOURS
    assert desk.shareable(answer_id, None) == NOT_YOURS
    assert desk.shareable(9999, "U1") == GONE


def test_the_supervision_note_and_its_file_name(desk: Desk) -> None:
    asked = desk.ask(QUESTION, Place("slack", "W1", "C1", "U1", thread="1.1"))
    note = desk.note(asked.answer_id)
    assert note is not None
    assert note.text.startswith("# Supervision note")
    assert note.file_name.startswith("supervision-note-")
    assert note.file_name.endswith(f"-{asked.answer_id}.md")
    assert (note.place.channel, note.place.thread) == ("C1", "1.1")
    assert desk.note(9999) is None


def test_share_targets_are_where_the_asker_spoke(desk: Desk) -> None:
    seen = Conversation("teams", "19:c@thread", "U1", "T1", "https://smba.example/", "channel")
    desk.seen(seen)
    desk.renamed("teams", "19:c@thread", "Team › General")
    (target,) = desk.share_targets("teams", "U1", "T1")
    assert (target.conversation, target.name) == ("19:c@thread", "Team › General")
    assert desk.share_targets("teams", "U2", "T1") == []
    assert desk.share_targets("teams", None, "T1") == []
