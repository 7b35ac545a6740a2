"""The catalog's tables (SQLAlchemy 2.x). The catalog is the library's source of truth."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

STAGED = "staged"  # written by an ingest run, not yet visible to readers
ACTIVE = "active"  # published: in the current index version
# Replaced or removed by the latest publish: only in the previous index version, kept until the
# next publish so that a search a process began on that version can still read its passages.
RETIRED = "retired"


class Base(DeclarativeBase):
    pass


class LibraryRow(Base):
    """One row: which model built the library and which index version readers use."""

    __tablename__ = "library"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_name: Mapped[str] = mapped_column(String(500))
    model_dimension: Mapped[int] = mapped_column(Integer)
    model_probe: Mapped[list[float]] = mapped_column(JSON)
    index_version: Mapped[int] = mapped_column(Integer, default=0)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class DocumentRow(Base):
    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_source_state", "source", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(2000))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(16), default=STAGED)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_runs.id"), nullable=True)
    format: Mapped[str] = mapped_column(String(16))
    paginated: Mapped[bool] = mapped_column(Boolean)
    title: Mapped[str] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    publisher: Mapped[str | None] = mapped_column(Text, nullable=True)
    year: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    date: Mapped[str | None] = mapped_column(String(32), nullable=True)
    source_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    licence: Mapped[str | None] = mapped_column(Text, nullable=True)
    doc_type: Mapped[str] = mapped_column(String(40), index=True)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    sample: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    chunk_count: Mapped[int] = mapped_column(Integer, default=0)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PageRow(Base):
    __tablename__ = "pages"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    # Set when the page was recognised from its image (OCR): by what, how confidently.
    ocr_engine: Mapped[str | None] = mapped_column(String(80), nullable=True)
    ocr_confidence: Mapped[float | None] = mapped_column(Float, nullable=True)


class ChunkRow(Base):
    __tablename__ = "chunks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    ordinal: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    spans: Mapped[list[list[int]]] = mapped_column(JSON)
    heading_path: Mapped[list[str]] = mapped_column(JSON)
    token_count: Mapped[int] = mapped_column(Integer)
    page_start: Mapped[int] = mapped_column(Integer)
    page_end: Mapped[int] = mapped_column(Integer)
    embedding: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    # The passage's sentences' vectors (index.sentence_vectors.pack); None before revision 0005.
    sentence_vectors: Mapped[bytes | None] = mapped_column(
        LargeBinary, nullable=True, deferred=True
    )


class IngestRunRow(Base):
    __tablename__ = "ingest_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="running")
    paths: Mapped[list[str]] = mapped_column(JSON, default=list)
    added: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
