"""What the Teams bot says, without the SDK: answers recorded in the audit log, rendered for Teams.

The same answering core and the same `answers` records as Slack; only the rendering differs.
Blocking work (retrieval, the model, SQL) happens here, so the SDK layer runs it in a thread.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from bot.answer import Answer
from bot.answering import Answerer
from bot.note import supervision_note
from bot.redaction import redact
from bot.rendering import from_dict, to_dict
from bot.teams.cards import Card, answer_card
from bot.teams.citations import TeamsCitation, answer_text, citation_claims
from index.audit import AnswerLog, AnswerRecord
from index.conversations import Conversation, Conversations

SURFACE = "teams"
FOLLOW_UP = timedelta(minutes=10)  # in a chat (no threads) a question this recent is context
MAX_KEY = 100  # the audit table's column width
NOT_YOURS = "Only the person who asked can share this answer."
REACTIONS = {"like": "up", "dislike": "down"}  # Teams' feedback buttons, as the records say it
GONE = "That answer is no longer in the records (they are kept for a limited time)."


@dataclass(frozen=True)
class Place:
    """Where a question was asked, as recorded with the answer."""

    tenant: str | None
    conversation: str  # from `conversation_key`
    user: str | None  # the asker's Entra object id
    thread: str | None = None  # the root message of a channel thread
    personal: bool = False


@dataclass(frozen=True)
class Reply:
    """One Teams message: Markdown text with `[n]` markers, its citation claims and its card."""

    answer_id: int
    answered: bool
    text: str
    citations: tuple[TeamsCitation, ...]
    card: Card
    remind: bool = False  # the question held personal details: remind the asker
    feedback: bool = True  # show Teams' own 👍/👎 (not on a shared copy, as in Slack)


def message_key(conversation_id: str, message_id: str) -> str:
    """One key per posted message: Teams message ids are unique within a conversation."""
    base = conversation_id.partition(";messageid=")[0]
    return "teams:" + hashlib.sha256(f"{base}\n{message_id}".encode()).hexdigest()


def conversation_key(conversation_id: str) -> str:
    """A conversation id that fits the audit table (personal chat ids run past 100 characters)."""
    if len(conversation_id) <= MAX_KEY:
        return conversation_id
    return "sha256:" + hashlib.sha256(conversation_id.encode()).hexdigest()


class Replies:
    """Answers, records and re-renders answers for Teams; safe to call from worker threads."""

    def __init__(
        self, answerer: Answerer, answers: AnswerLog, conversations: Conversations
    ) -> None:
        self.answerer = answerer
        self.answers = answers
        self.conversations = conversations

    def answer(self, question: str, place: Place) -> Reply:
        """Answer `question` (read with the question before it, for a follow-up) and record it."""
        context = self._earlier_question(place)
        retrieval_query = f"{context} {question}".strip() if context else question
        answer: Answer = replace(self.answerer.answer(retrieval_query), question=question)
        version = self.answerer.library_version()
        redaction = redact(question)
        answer_id = self.answers.record(
            AnswerRecord(
                surface=SURFACE,
                question=redaction.text,
                redacted=redaction.kinds,
                answered=answer.answered,
                answer=to_dict(replace(answer, question=redaction.text)),
                library_version=version,
                workspace=place.tenant,
                channel=place.conversation,
                user=place.user,
                thread=place.thread,
            )
        )
        reply = render(answer, answer_id, version, shareable=place.personal)
        return replace(reply, remind=redaction.found)

    def shared(self, answer_id: int, user: str | None, shared_by: str) -> Reply | str:
        """The stored answer again, for the channel its asker shares it in; or why not."""
        row = self.answers.get(answer_id)
        if row is None:
            return GONE
        if not user or row.user != user:
            return NOT_YOURS
        answer = from_dict(row.answer)
        reply = render(answer, row.id, row.library_version, shareable=False, shared_by=shared_by)
        return replace(reply, feedback=False)

    def share_targets(self, user: str | None, tenant: str | None) -> list[Conversation]:
        """Where `user` may share: the conversations they spoke to the bot in, or added it to."""
        return self.conversations.of_user(SURFACE, user, tenant) if user else []

    def seen(self, conversation: Conversation) -> None:
        """Remember a channel or group chat the bot was spoken to in, or added to."""
        self.conversations.seen(conversation)

    def renamed(self, conversation: str, name: str) -> None:
        self.conversations.rename(SURFACE, conversation, name)

    def posted(self, answer_id: int, conversation_id: str, message_id: str) -> None:
        """Link the message Teams gave an answer to its record (Teams' feedback names only it)."""
        self.answers.link_message(message_key(conversation_id, message_id), answer_id)

    def message_feedback(
        self, conversation_id: str, message_id: str, reaction: str, note: str | None
    ) -> bool:
        """Teams' own 👍/👎 on a message, stored in the record of the answer it carries."""
        answer_id = self.answers.answer_for_message(message_key(conversation_id, message_id))
        value = REACTIONS.get(reaction)
        if answer_id is None or value is None:
            return False
        return self.feedback(answer_id, value, note)

    def note(self, answer_id: int) -> str | None:
        """The supervision note for a recorded answer (the same note `evidence note` prints)."""
        row = self.answers.get(answer_id)
        if row is None:
            return None
        return supervision_note(
            from_dict(row.answer),
            asked_at=row.asked_at.astimezone(UTC),
            library_version=row.library_version,
        )

    def note_file(self, answer_id: int) -> tuple[str, bytes] | None:
        """The supervision note as a Markdown file: its name (as in Slack) and its bytes."""
        row = self.answers.get(answer_id)
        note = self.note(answer_id)
        if row is None or note is None:
            return None
        return f"supervision-note-{row.asked_at:%Y-%m-%d}-{row.id}.md", note.encode()

    def feedback(self, answer_id: int, value: str, note: str | None = None) -> bool:
        """Store 👍/👎 and the optional note, with personal details removed like questions."""
        text = redact(note).text if note and note.strip() else None
        return self.answers.feedback(answer_id, value, text)

    def _earlier_question(self, place: Place) -> str | None:
        if place.thread:
            return self.answers.earlier_question(SURFACE, place.conversation, thread=place.thread)
        if not place.user:
            return None
        since = datetime.now(UTC) - FOLLOW_UP
        return self.answers.earlier_question(
            SURFACE, place.conversation, user=place.user, since=since
        )


def render(
    answer: Answer,
    answer_id: int,
    version: int | None,
    *,
    shareable: bool,
    shared_by: str | None = None,
) -> Reply:
    """Text, citation claims and card for an answer."""
    return Reply(
        answer_id=answer_id,
        answered=answer.answered,
        text=answer_text(answer),
        citations=tuple(citation_claims(answer)),
        card=answer_card(
            answer, answer_id, library_version=version, shareable=shareable, shared_by=shared_by
        ),
    )
