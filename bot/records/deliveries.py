"""Exactly-once handling of chat deliveries, shared by every process through the catalog."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError

from bot.records.tables import DeliveryRow
from index import Catalog


class Deliveries:
    """Claims delivery keys; the database's primary key makes the first claim the only one."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def claim(self, key: str) -> bool:
        """True for the first process to claim `key`, False for every retry or duplicate."""
        try:
            with self.catalog.session() as session:
                session.add(DeliveryRow(key=key[:200], received_at=datetime.now(UTC)))
        except IntegrityError:
            return False
        return True

    def forget_older_than(self, age: timedelta) -> int:
        """Drop claims older than `age` (platforms stop retrying within minutes)."""
        return self.catalog.delete_older_than(DeliveryRow.received_at, age)
