"""Alembic migrations build exactly the schema the ORM tables describe, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData

from bot.records import ChatBase
from index.catalog import HEAD_REVISION, Catalog, CatalogError
from index.settings import Settings
from index.tables import Base


def all_tables() -> MetaData:
    """The library's tables and the chat records': one database, one migration chain."""
    combined = MetaData()
    for metadata in (Base.metadata, ChatBase.metadata):
        for table in metadata.tables.values():
            table.to_metadata(combined)
    return combined


def test_migrated_schema_matches_the_tables(settings: Settings) -> None:
    catalog = Catalog(settings.catalog_url)
    try:
        catalog.migrate()
        catalog.migrate()  # a second run is a no-op
        assert catalog.revision() == HEAD_REVISION
        with catalog.engine.connect() as connection:
            context = MigrationContext.configure(connection)
            differences = compare_metadata(context, all_tables())
        assert differences == []
    finally:
        catalog.close()


def test_unmigrated_catalog_says_what_to_do(settings: Settings) -> None:
    catalog = Catalog(settings.catalog_url)
    try:
        with pytest.raises(CatalogError, match=r"evidence ingest.*evidence migrate"):
            catalog.require_schema()
    finally:
        catalog.close()
