"""The chat records' tables: answers given, messages that carry them, conversations, deliveries.

They live in the catalog's database and its one Alembic chain (index/migrations, revisions 0002
to 0004), but only the bot reads or writes them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class ChatBase(DeclarativeBase):
    pass


class DeliveryRow(ChatBase):
    """A chat delivery already handled: platforms retry, and every process checks here first."""

    __tablename__ = "deliveries"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class AnswerRow(ChatBase):
    """The audit record of one answer: who asked where, the redacted question, what was cited."""

    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    surface: Mapped[str] = mapped_column(String(20))
    workspace: Mapped[str | None] = mapped_column(String(100), nullable=True)
    channel: Mapped[str | None] = mapped_column(String(100), nullable=True)
    user: Mapped[str | None] = mapped_column(String(100), nullable=True)
    thread: Mapped[str | None] = mapped_column(String(100), nullable=True)
    question: Mapped[str] = mapped_column(Text)  # redacted before it is ever stored
    redacted: Mapped[list[str]] = mapped_column(JSON, default=list)
    answered: Mapped[bool] = mapped_column(Boolean)
    answer: Mapped[dict[str, Any]] = mapped_column(JSON)  # the full cited answer, for sharing
    library_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    feedback: Mapped[str | None] = mapped_column(String(10), nullable=True)
    feedback_note: Mapped[str | None] = mapped_column(Text, nullable=True)


class ConversationRow(ChatBase):
    """A chat conversation a bot was added to or spoken to in, by whom: where to share answers."""

    __tablename__ = "conversations"

    surface: Mapped[str] = mapped_column(String(20), primary_key=True)
    conversation: Mapped[str] = mapped_column(String(400), primary_key=True)  # the platform's id
    user: Mapped[str] = mapped_column(String(100), primary_key=True)  # who spoke or added the bot
    tenant: Mapped[str | None] = mapped_column(String(100), nullable=True)
    service_url: Mapped[str] = mapped_column(String(500))  # where to post to it
    kind: Mapped[str] = mapped_column(String(20))  # "channel" or "groupChat"
    name: Mapped[str | None] = mapped_column(Text, nullable=True)  # "Team › Channel", or the chat's
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class AnswerMessageRow(ChatBase):
    """A posted chat message that carries an answer: a platform's own feedback names only it."""

    __tablename__ = "answer_messages"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    answer_id: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
