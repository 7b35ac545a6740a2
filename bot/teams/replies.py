"""An answer rendered for Teams, without the SDK: Markdown with `[n]` markers, claims and a card.

The desk answers and records; this module only knows how Teams shows an answer and names
its conversations and messages.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from bot.answer import Answer
from bot.desk import Asked, Recorded
from bot.teams.cards import Card, answer_card
from bot.teams.citations import TeamsCitation, answer_text, citation_claims

SURFACE = "teams"
MAX_KEY = 100  # the audit table's column width
REACTIONS = {"like": "up", "dislike": "down"}  # Teams' feedback buttons, as the records say it


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


def answer_reply(asked: Asked, *, shareable: bool) -> Reply:
    """The message for an answer just given (a personal chat's can be shared)."""
    reply = render(asked.answer, asked.answer_id, asked.library_version, shareable=shareable)
    return replace(reply, remind=asked.remind)


def shared_reply(shared: Recorded, shared_by: str) -> Reply:
    """A recorded answer again, for the channel its asker shares it in (no 👍/👎 there)."""
    reply = render(
        shared.answer,
        shared.answer_id,
        shared.library_version,
        shareable=False,
        shared_by=shared_by,
    )
    return replace(reply, feedback=False)


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
