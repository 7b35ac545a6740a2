"""The chat core every surface shares: ask, feedback, share, the supervision note.

A skin (Slack, Teams, a web page) translates its platform's events into these calls and renders
what comes back; it never records, redacts or words a reply of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from bot import wording
from bot.answer import Answer
from bot.answering import Answerer
from bot.note import supervision_note
from bot.records.answers import AnswerLog, AnswerRecord, RecordedAnswer
from bot.records.conversations import Conversation, Conversations
from bot.redaction import redact
from bot.rendering import from_dict, to_dict

FOLLOW_UP = timedelta(minutes=10)  # in a chat without threads, a question this recent is context


@dataclass(frozen=True)
class Place:
    """Where a question was asked: recorded with the answer, and where its follow-ups belong."""

    surface: str  # "slack", "teams"
    workspace: str | None  # a Slack workspace, a Teams tenant
    channel: str | None  # the channel, chat or direct message
    user: str | None  # the asker
    thread: str | None = None  # the root message of a thread
    private: bool = False  # a direct message or personal chat: only the asker sees it


@dataclass(frozen=True)
class Asked:
    """An answer given and recorded: what a skin renders."""

    answer: Answer  # with the question as asked: it goes back only to the asker
    answer_id: int
    library_version: int | None
    remind: bool  # the question held personal details: remind the asker


@dataclass(frozen=True)
class Recorded:
    """A recorded answer, read back to share it or to write its note."""

    answer_id: int
    answer: Answer  # with the redacted question
    library_version: int | None
    asked_at: datetime
    place: Place


@dataclass(frozen=True)
class Note:
    """The supervision note for a recorded answer, as text and as a Markdown file."""

    text: str
    file_name: str
    place: Place  # where the answer was asked


class Desk:
    """Answers, records and reads back answers for every surface; safe to share between threads."""

    def __init__(
        self,
        answerer: Answerer,
        answers: AnswerLog,
        conversations: Conversations | None = None,
    ) -> None:
        self.answerer = answerer
        self.answers = answers
        self.conversations = conversations

    def ask(self, question: str, place: Place, *, earlier: str | None = None) -> Asked:
        """Answer `question` (read with the question before it, for a follow-up) and record it.

        Args:
            earlier: the question a follow-up is read with, where the platform shows it (a Slack
                thread's first message); when None, the records of `place` say.
        """
        if earlier is None:
            earlier = self.earlier_question(place)
        retrieval_query = f"{earlier} {question}".strip() if earlier else question
        answer: Answer = replace(self.answerer.answer(retrieval_query), question=question)
        version = self.answerer.library.version()
        redaction = redact(question)
        answer_id = self.answers.record(
            AnswerRecord(
                surface=place.surface,
                question=redaction.text,
                redacted=redaction.kinds,
                answered=answer.answered,
                answer=to_dict(replace(answer, question=redaction.text)),
                library_version=version,
                workspace=place.workspace,
                channel=place.channel,
                user=place.user,
                thread=place.thread,
            )
        )
        return Asked(answer, answer_id, version, remind=redaction.found)

    def earlier_question(self, place: Place) -> str | None:
        """A thread's first recorded question, else the asker's latest there in FOLLOW_UP."""
        if place.channel is None:
            return None
        if place.thread:
            return self.answers.earlier_question(place.surface, place.channel, thread=place.thread)
        if not place.user:
            return None
        since = datetime.now(UTC) - FOLLOW_UP
        return self.answers.earlier_question(
            place.surface, place.channel, user=place.user, since=since
        )

    def feedback(self, answer_id: int, value: str, note: str | None = None) -> bool:
        """Store 'up' or 'down' and the optional note, with personal details removed."""
        text = redact(note).text if note and note.strip() else None
        return self.answers.feedback(answer_id, value, text)

    def posted(self, message: str, answer_id: int) -> None:
        """Link a posted message (`message` names it) to its answer: some feedback names only it."""
        self.answers.link_message(message, answer_id)

    def message_feedback(self, message: str, value: str, note: str | None = None) -> bool:
        """Feedback on a posted message, stored with the answer it carries."""
        answer_id = self.answers.answer_for_message(message)
        return answer_id is not None and self.feedback(answer_id, value, note)

    def recorded(self, answer_id: int) -> Recorded | None:
        """The recorded answer, or None once retention has removed it."""
        row = self.answers.get(answer_id)
        return None if row is None else _recorded(row)

    def shareable(self, answer_id: int, user: str | None) -> Recorded | str:
        """The recorded answer, for its asker to share; else what to tell `user`."""
        recorded = self.recorded(answer_id)
        if recorded is None:
            return wording.GONE
        if not user or recorded.place.user != user:
            return wording.NOT_YOURS
        return recorded

    def note(self, answer_id: int) -> Note | None:
        """The supervision note (the same note `evidence note` prints) for a recorded answer."""
        recorded = self.recorded(answer_id)
        if recorded is None:
            return None
        text = supervision_note(
            recorded.answer,
            asked_at=recorded.asked_at.astimezone(UTC),
            library_version=recorded.library_version,
        )
        name = f"supervision-note-{recorded.asked_at:%Y-%m-%d}-{recorded.answer_id}.md"
        return Note(text, name, recorded.place)

    def seen(self, conversation: Conversation) -> None:
        """Remember a channel or group chat the bot was spoken to in, or added to."""
        if self.conversations is not None:
            self.conversations.seen(conversation)

    def renamed(self, surface: str, conversation: str, name: str) -> None:
        """A remembered conversation's new name."""
        if self.conversations is not None:
            self.conversations.rename(surface, conversation, name)

    def share_targets(
        self, surface: str, user: str | None, workspace: str | None
    ) -> list[Conversation]:
        """Where `user` may share: the conversations they spoke to the bot in, or added it to."""
        if self.conversations is None or not user:
            return []
        return self.conversations.of_user(surface, user, workspace)


def _recorded(row: RecordedAnswer) -> Recorded:
    place = Place(row.surface, row.workspace, row.channel, row.user, row.thread)
    return Recorded(row.id, from_dict(row.answer), row.library_version, row.asked_at, place)
