"""The audit log of answers: who asked where and when, the redacted question, what was cited.

Callers redact the question before it reaches this module; nothing here sees case details.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.records.tables import AnswerMessageRow, AnswerRow
from index import Catalog


@dataclass(frozen=True)
class AnswerRecord:
    """What a surface records about one answer."""

    surface: str
    question: str
    redacted: tuple[str, ...]
    answered: bool
    answer: dict[str, Any]
    library_version: int | None
    workspace: str | None = None
    channel: str | None = None
    user: str | None = None
    thread: str | None = None


@dataclass(frozen=True)
class RecordedAnswer:
    """One audit record as stored, handed out instead of the table's row."""

    id: int
    asked_at: datetime
    surface: str
    workspace: str | None
    channel: str | None
    user: str | None
    thread: str | None
    question: str
    redacted: tuple[str, ...]
    answered: bool
    answer: dict[str, Any]
    library_version: int | None
    feedback: str | None
    feedback_note: str | None


class AnswerLog:
    """Writes and reads audit records in the catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def record(self, entry: AnswerRecord) -> int:
        with self.catalog.session() as session:
            row = AnswerRow(
                asked_at=datetime.now(UTC),
                surface=entry.surface,
                workspace=entry.workspace,
                channel=entry.channel,
                user=entry.user,
                thread=entry.thread,
                question=entry.question,
                redacted=list(entry.redacted),
                answered=entry.answered,
                answer=entry.answer,
                library_version=entry.library_version,
            )
            session.add(row)
            session.flush()
            return row.id

    def get(self, answer_id: int) -> RecordedAnswer | None:
        """The record of one answer, or None once retention has removed it."""
        with self.catalog.session() as session:
            row = session.get(AnswerRow, answer_id)
            return None if row is None else _recorded(row)

    def feedback(self, answer_id: int, value: str, note: str | None = None) -> bool:
        """Store 'up' or 'down' (and an optional note); False if the record is gone."""
        with self.catalog.session() as session:
            row = session.get(AnswerRow, answer_id)
            if row is None:
                return False
            row.feedback = value
            if note is not None:
                row.feedback_note = note
            return True

    def earlier_question(
        self,
        surface: str,
        channel: str,
        *,
        thread: str | None = None,
        user: str | None = None,
        since: datetime | None = None,
    ) -> str | None:
        """The (redacted) question a follow-up is read with: a thread's first, else the latest.

        With `thread`, the first question recorded in that thread; otherwise the latest one in
        `channel` by `user` asked after `since` (chats without threads).
        """
        query = select(AnswerRow.question).where(
            AnswerRow.surface == surface, AnswerRow.channel == channel
        )
        if thread is not None:
            query = query.where(AnswerRow.thread == thread).order_by(AnswerRow.id)
        else:
            query = query.where(AnswerRow.user == user).order_by(AnswerRow.id.desc())
            if since is not None:
                query = query.where(AnswerRow.asked_at >= since)
        with self.catalog.session() as session:
            return session.scalars(query.limit(1)).first()

    def link_message(self, key: str, answer_id: int) -> None:
        """Remember which answer a posted chat message carries (`key` names the message)."""
        with self.catalog.session() as session:
            session.merge(
                AnswerMessageRow(key=key[:200], answer_id=answer_id, sent_at=datetime.now(UTC))
            )

    def answer_for_message(self, key: str) -> int | None:
        """The id of the answer a posted message carries, if it is still linked."""
        with self.catalog.session() as session:
            row = session.get(AnswerMessageRow, key[:200])
            return row.answer_id if row else None

    def forget_older_than(self, age: timedelta) -> int:
        """Delete records (and their message links) older than `age` (the retention setting)."""
        self.catalog.delete_older_than(AnswerMessageRow.sent_at, age)
        return self.catalog.delete_older_than(AnswerRow.asked_at, age)


def _recorded(row: AnswerRow) -> RecordedAnswer:
    return RecordedAnswer(
        id=row.id,
        asked_at=row.asked_at,
        surface=row.surface,
        workspace=row.workspace,
        channel=row.channel,
        user=row.user,
        thread=row.thread,
        question=row.question,
        redacted=tuple(row.redacted),
        answered=row.answered,
        answer=row.answer,
        library_version=row.library_version,
        feedback=row.feedback,
        feedback_note=row.feedback_note,
    )
