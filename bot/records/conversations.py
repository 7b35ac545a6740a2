"""The chat conversations a bot knows, and who spoke to it there: where answers can be shared.

A chat platform cannot list the conversations a bot may post to, so a surface records each one
it is added to or spoken to in, with what it takes to post there later (a Teams service URL).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.records.tables import ConversationRow
from index import Catalog


@dataclass(frozen=True)
class Conversation:
    """A conversation (a channel or a group chat) and one person who spoke to the bot there."""

    surface: str
    conversation: str
    user: str
    tenant: str | None
    service_url: str
    kind: str
    name: str | None = None


class Conversations:
    """Records and lists known conversations in the catalog; safe to call from worker threads."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def seen(self, seen: Conversation) -> None:
        """Record that `seen.user` spoke (or added the bot) there; keep a name already known."""
        for _ in range(2):  # two processes may record the same row at once: the loser updates
            try:
                with self.catalog.session() as session:
                    row = session.get(ConversationRow, (seen.surface, seen.conversation, seen.user))
                    if row is None:
                        row = ConversationRow(
                            surface=seen.surface, conversation=seen.conversation, user=seen.user
                        )
                        session.add(row)
                    row.tenant = seen.tenant
                    row.service_url = seen.service_url
                    row.kind = seen.kind
                    row.name = seen.name or row.name
                    row.seen_at = datetime.now(UTC)
                if seen.name:
                    self.rename(seen.surface, seen.conversation, seen.name)
                return
            except IntegrityError:
                continue

    def rename(self, surface: str, conversation: str, name: str) -> None:
        """A conversation's new name, for everyone who spoke there."""
        with self.catalog.session() as session:
            session.execute(
                update(ConversationRow)
                .where(
                    ConversationRow.surface == surface, ConversationRow.conversation == conversation
                )
                .values(name=name)
            )

    def of_user(self, surface: str, user: str, tenant: str | None) -> list[Conversation]:
        """The conversations `user` spoke to the bot in (or added it to), latest first."""
        query = (
            select(ConversationRow)
            .where(ConversationRow.surface == surface, ConversationRow.user == user)
            .order_by(ConversationRow.seen_at.desc())
        )
        if tenant is not None:
            query = query.where(ConversationRow.tenant == tenant)
        with self.catalog.session() as session:
            return [_conversation(row) for row in session.scalars(query)]

    def forget_older_than(self, age: timedelta) -> int:
        """Forget who spoke where after `age` (the audit retention setting)."""
        return self.catalog.delete_older_than(ConversationRow.seen_at, age)


def _conversation(row: ConversationRow) -> Conversation:
    return Conversation(
        surface=row.surface,
        conversation=row.conversation,
        user=row.user,
        tenant=row.tenant,
        service_url=row.service_url,
        kind=row.kind,
        name=row.name,
    )
