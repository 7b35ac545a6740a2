"""The SQL catalog: documents, pages, chunks (with their embeddings) and ingest runs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, create_engine, delete, event, func, inspect, select, update
from sqlalchemy.orm import Session, sessionmaker

from index.records import Document, DocumentMeta, Filters, ScannedPage, Span, StoredDocument
from index.tables import (
    ACTIVE,
    RETIRED,
    STAGED,
    ChunkRow,
    DocumentRow,
    IngestRunRow,
    LibraryRow,
    PageRow,
)

MIGRATIONS = Path(__file__).with_name("migrations")
HEAD_REVISION = "0006"
# Ids bound into one IN (...): SQLite allows 32,766 parameters a statement, psycopg 65,535, and a
# library of tens of thousands of documents passes both.
ID_BATCH = 10_000
WRITER_LOCK = 0x45564944  # "EVID": the PostgreSQL advisory lock key for library writers


class CatalogError(RuntimeError):
    """The catalog cannot be used as it is; the message says what to do."""


def now() -> datetime:
    return datetime.now(UTC)


def stored(row: DocumentRow) -> StoredDocument:
    """The record of a catalog row, for readers outside the catalog: its columns by the record's
    field names, lists as tuples."""
    values = {f.name: getattr(row, f.name) for f in fields(StoredDocument)}
    for name in ("authors", "topics", "notes"):
        values[name] = tuple(values[name] or ())
    return StoredDocument(**values)


def meta_of(row: DocumentRow) -> DocumentMeta:
    """The citation details of a catalog document."""
    return stored(row).meta


def spans_of(row: ChunkRow) -> tuple[Span, ...]:
    return tuple(Span(page, start, end) for page, start, end in row.spans)


CONNECT_TIMEOUT = 10  # seconds


class Catalog:
    """Reads and writes the catalog; every write is one transaction."""

    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        # A PostgreSQL server that cannot be reached fails a connection in seconds, not minutes,
        # and connections it dropped (a restart) are noticed before use, not by a query.
        options: dict[str, Any] = (
            {"connect_args": {"connect_timeout": CONNECT_TIMEOUT}, "pool_pre_ping": True}
            if url.startswith("postgresql")
            else {}
        )
        self.engine: Engine = create_engine(url, future=True, **options)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()

    def delete_older_than(self, column: Any, age: timedelta) -> int:
        """Delete the rows of `column`'s table whose timestamp is older than `age` (retention)."""
        with self.session() as session:
            result = session.execute(delete(column.class_).where(column < datetime.now(UTC) - age))
            return int(getattr(result, "rowcount", 0) or 0)

    @contextmanager
    def writer_lock(self) -> Iterator[bool]:
        """Whether this process got the catalog-wide writer lock (always, on SQLite)."""
        if self.engine.dialect.name != "postgresql":
            yield True
            return
        with self.engine.connect() as connection:
            held = bool(
                connection.exec_driver_sql(f"SELECT pg_try_advisory_lock({WRITER_LOCK})").scalar()
            )
            try:
                yield held
            finally:
                if held:
                    connection.exec_driver_sql(f"SELECT pg_advisory_unlock({WRITER_LOCK})")
                connection.rollback()

    # -- schema -------------------------------------------------------------------------------

    def migrate(self) -> None:
        """Bring the schema up to date with Alembic."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def revision(self) -> str | None:
        if not inspect(self.engine).has_table("alembic_version"):
            return None
        with self.engine.connect() as connection:
            return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()

    def require_schema(self) -> None:
        """Raises CatalogError unless the schema is at the head revision."""
        revision = self.revision()
        if revision != HEAD_REVISION:
            state = "has no library yet" if revision is None else f"is at revision {revision}"
            raise CatalogError(
                f"the catalog at {self.safe_url} {state}: load documents with `evidence ingest` "
                "or run `evidence migrate`"
            )

    @property
    def safe_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    # -- library row ----------------------------------------------------------------------------

    def library(self) -> LibraryRow | None:
        with self.session() as session:
            return session.get(LibraryRow, 1)

    def create_library(self, model_name: str, dimension: int, probe: list[float]) -> None:
        with self.session() as session:
            if session.get(LibraryRow, 1) is None:
                session.add(
                    LibraryRow(
                        id=1,
                        model_name=model_name,
                        model_dimension=dimension,
                        model_probe=probe,
                        index_version=0,
                    )
                )

    # -- ingest runs ----------------------------------------------------------------------------

    def begin_run(self, paths: Sequence[str]) -> int:
        with self.session() as session:
            # A run still marked running was killed: say so rather than leave it running forever.
            session.execute(
                update(IngestRunRow)
                .where(IngestRunRow.status == "running")
                .values(status="interrupted")
            )
            run = IngestRunRow(
                started_at=now(),
                status="running",
                paths=list(paths),
                failures=[],
                added=0,
                updated=0,
                unchanged=0,
                removed=0,
                failed=0,
            )
            session.add(run)
            session.flush()
            return run.id

    def finish_run(self, run_id: int, status: str, **counts: Any) -> None:
        with self.session() as session:
            run = session.get_one(IngestRunRow, run_id)
            run.status = status
            run.finished_at = now()
            for key, value in counts.items():
                setattr(run, key, value)

    def runs(self, limit: int = 10) -> list[IngestRunRow]:
        with self.session() as session:
            query = select(IngestRunRow).order_by(IngestRunRow.id.desc()).limit(limit)
            return list(session.scalars(query))

    # -- documents ------------------------------------------------------------------------------

    def documents(self, state: str | None = ACTIVE) -> list[StoredDocument]:
        with self.session() as session:
            query = select(DocumentRow).order_by(DocumentRow.id)
            if state is not None:
                query = query.where(DocumentRow.state == state)
            return [stored(row) for row in session.scalars(query)]

    def document(self, document_id: int) -> StoredDocument | None:
        with self.session() as session:
            row = session.get(DocumentRow, document_id)
            return None if row is None or row.state == RETIRED else stored(row)

    def find_documents(self, source: str) -> list[StoredDocument]:
        with self.session() as session:
            query = select(DocumentRow).where(DocumentRow.source == source)
            return [stored(row) for row in session.scalars(query.order_by(DocumentRow.id))]

    def pages_of(self, wanted: Mapping[int, Iterable[int]]) -> dict[int, dict[int, str]]:
        """Page texts for several documents in one query: document id -> page number -> text."""
        return self.pages_and_scans(wanted)[0]

    def scanned_pages(
        self, wanted: Mapping[int, Iterable[int]]
    ) -> dict[int, dict[int, ScannedPage]]:
        """Which of these pages were recognised from a scan: document id -> page -> how."""
        return self.pages_and_scans(wanted)[1]

    def pages_and_scans(
        self, wanted: Mapping[int, Iterable[int]]
    ) -> tuple[dict[int, dict[int, str]], dict[int, dict[int, ScannedPage]]]:
        """Page texts for several documents, and which of those pages were recognised from a
        scan, in one query: each document id -> page number -> text, and -> how it was read."""
        numbers = {int(n) for pages in wanted.values() for n in pages}
        texts: dict[int, dict[int, str]] = {int(d): {} for d in wanted}
        scans: dict[int, dict[int, ScannedPage]] = {int(d): {} for d in wanted}
        if not wanted or not numbers:
            return texts, scans
        with self.session() as session:
            columns = (PageRow.document_id, PageRow.number, PageRow.text, PageRow.ocr_engine)
            query = select(*columns, PageRow.ocr_confidence).where(
                PageRow.document_id.in_(list(texts)), PageRow.number.in_(sorted(numbers))
            )
            for document_id, number, text, engine, confidence in session.execute(query):
                if number in wanted[document_id]:
                    texts[document_id][number] = text
                    if engine is not None:
                        scans[document_id][number] = ScannedPage(number, engine, confidence or 0.0)
        return texts, scans

    def recognised_pages(self, document_ids: Iterable[int]) -> dict[int, set[int]]:
        """The pages recognised from a scan in those of these documents that have any."""
        ids = sorted({int(d) for d in document_ids})
        found: dict[int, set[int]] = {}
        if not ids:
            return found
        with self.session() as session:
            query = select(PageRow.document_id, PageRow.number).where(
                PageRow.document_id.in_(ids), PageRow.ocr_engine.is_not(None)
            )
            for document_id, number in session.execute(query):
                found.setdefault(int(document_id), set()).add(int(number))
        return found

    def pages(self, document_id: int, numbers: Iterable[int] | None = None) -> dict[int, str]:
        with self.session() as session:
            query = select(PageRow).where(PageRow.document_id == document_id)
            if numbers is not None:
                query = query.where(PageRow.number.in_(list(numbers)))
            return {row.number: row.text for row in session.scalars(query)}

    def relabel(self, changes: Mapping[int, DocumentMeta]) -> None:
        """Replace documents' citation details in place (a manifest corrected them)."""
        with self.session() as session:
            for document_id, meta in changes.items():
                row = session.get(DocumentRow, document_id)
                if row is None:
                    continue
                row.title = meta.title
                row.authors = list(meta.authors)
                row.publisher = meta.publisher
                row.year = meta.year
                row.date = meta.date
                row.source_url = meta.source_url
                row.licence = meta.licence
                row.doc_type = meta.doc_type
                row.topics = list(meta.topics)
                row.sample = meta.sample
            session.commit()

    def stage(
        self,
        document: Document,
        embeddings: np.ndarray,
        run_id: int,
        size: int,
        sentence_vectors: Sequence[bytes | None] = (),
    ) -> int:
        """Store a parsed document with its chunks and embeddings, invisible until published.

        `sentence_vectors` holds each chunk's packed sentence vectors, when the run made them.
        """
        meta = document.meta
        with self.session() as session:
            row = DocumentRow(
                source=document.source,
                content_hash=document.content_hash,
                state=STAGED,
                run_id=run_id,
                format=document.format,
                paginated=document.paginated,
                title=meta.title,
                authors=list(meta.authors),
                publisher=meta.publisher,
                year=meta.year,
                date=meta.date,
                source_url=meta.source_url,
                licence=meta.licence,
                doc_type=meta.doc_type,
                topics=list(meta.topics),
                sample=meta.sample,
                notes=list(document.notes),
                size_bytes=size,
                page_count=len(document.pages),
                chunk_count=len(document.chunks),
                added_at=now(),
            )
            session.add(row)
            session.flush()
            scanned = {page.page: page for page in document.scanned}
            session.add_all(
                PageRow(
                    document_id=row.id,
                    number=number,
                    text=text,
                    ocr_engine=scanned[number].engine if number in scanned else None,
                    ocr_confidence=scanned[number].confidence if number in scanned else None,
                )
                for number, text in enumerate(document.pages, start=1)
            )
            vectors = np.ascontiguousarray(embeddings, dtype=np.float32)
            session.add_all(
                ChunkRow(
                    document_id=row.id,
                    ordinal=chunk.ordinal,
                    text=chunk.text,
                    spans=[[s.page, s.start, s.end] for s in chunk.spans],
                    heading_path=list(chunk.heading_path),
                    token_count=chunk.token_count,
                    page_start=chunk.page_start,
                    page_end=chunk.page_end,
                    embedding=vectors[i].tobytes(),
                    sentence_vectors=sentence_vectors[i] if sentence_vectors else None,
                )
                for i, chunk in enumerate(document.chunks)
            )
            return row.id

    def discard(self, document_ids: Sequence[int]) -> None:
        """Delete documents (and their pages and chunks) outright."""
        if not document_ids:
            return
        with self.session() as session:
            _delete_documents(session, document_ids)

    def publish(self, version: int, activate: Sequence[int], remove: Sequence[int]) -> None:
        """Make staged documents visible and retire removed ones, with the new index, atomically.

        Documents retired by the publish before this one are deleted now: no process searches
        the version they belong to any more (each search starts on the newest version).
        """
        with self.session() as session:
            retired = select(DocumentRow.id).where(DocumentRow.state == RETIRED)
            _delete_documents(session, list(session.scalars(retired)))
            for batch in _batches(remove):
                session.execute(
                    update(DocumentRow)
                    .where(DocumentRow.id.in_(batch))
                    .values(state=RETIRED, run_id=None)
                )
            for batch in _batches(activate):
                session.execute(
                    update(DocumentRow)
                    .where(DocumentRow.id.in_(batch))
                    .values(state=ACTIVE, run_id=None)
                )
            library = session.get_one(LibraryRow, 1)
            library.index_version = version
            library.published_at = now()

    # -- chunks ---------------------------------------------------------------------------------

    def chunk_ids(self, document_ids: Sequence[int]) -> np.ndarray:
        found: list[int] = []
        with self.session() as session:
            for batch in _batches(document_ids):
                query = select(ChunkRow.id).where(ChunkRow.document_id.in_(batch))
                found += session.scalars(query)
        return np.asarray(found, dtype=np.int64)

    def embeddings(
        self, document_ids: Sequence[int], dimension: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Chunk ids and their stored embeddings, for the given documents."""
        ids: list[int] = []
        blobs: list[bytes] = []
        with self.session() as session:
            for batch in _batches(document_ids):
                query = (
                    select(ChunkRow.id, ChunkRow.embedding)
                    .where(ChunkRow.document_id.in_(batch))
                    .order_by(ChunkRow.id)
                )
                for chunk_id, blob in session.execute(query):
                    ids.append(chunk_id)
                    blobs.append(blob)
        matrix = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(ids), dimension)
        order = np.argsort(np.asarray(ids, dtype=np.int64), kind="stable")
        return np.asarray(ids, dtype=np.int64)[order], matrix[order]

    def lexical_texts(self, document_ids: Sequence[int]) -> tuple[np.ndarray, list[str]]:
        """Chunk ids and the text the lexical index reads: title, section path and chunk text."""
        ids: list[int] = []
        texts: list[str] = []
        with self.session() as session:
            for batch in _batches(document_ids):
                query = (
                    select(ChunkRow.id, ChunkRow.text, ChunkRow.heading_path, DocumentRow.title)
                    .join(DocumentRow, DocumentRow.id == ChunkRow.document_id)
                    .where(ChunkRow.document_id.in_(batch))
                    .order_by(ChunkRow.id)
                )
                for chunk_id, text, heading_path, title in session.execute(query):
                    ids.append(chunk_id)
                    texts.append(lexical_text(title, heading_path, text))
        order = np.argsort(np.asarray(ids, dtype=np.int64), kind="stable")
        return np.asarray(ids, dtype=np.int64)[order], [texts[i] for i in order]

    def chunks(self, chunk_ids: Sequence[int]) -> list[tuple[ChunkRow, DocumentRow]]:
        """Published chunks with their documents; ids of deleted or staged documents are left out.

        Chunks retired by the latest publish are still found: a search that began on the
        previous index version a moment before the publish finishes with its own passages.
        """
        if not chunk_ids:
            return []
        with self.session() as session:
            query = (
                select(ChunkRow, DocumentRow)
                .join(DocumentRow, DocumentRow.id == ChunkRow.document_id)
                .where(ChunkRow.id.in_([int(i) for i in chunk_ids]))
                .where(DocumentRow.state.in_([ACTIVE, RETIRED]))
            )
            return [(chunk, doc) for chunk, doc in session.execute(query)]

    def sentence_vectors(self, chunk_ids: Sequence[int]) -> dict[int, bytes]:
        """The packed sentence vectors of these chunks, where they have them."""
        if not chunk_ids:
            return {}
        with self.session() as session:
            query = (
                select(ChunkRow.id, ChunkRow.sentence_vectors)
                .where(ChunkRow.id.in_([int(i) for i in chunk_ids]))
                .where(ChunkRow.sentence_vectors.is_not(None))
            )
            return {int(i): bytes(blob) for i, blob in session.execute(query) if blob}

    def chunks_without_sentence_vectors(
        self, after: int, limit: int
    ) -> list[tuple[int, int, str, tuple[Span, ...]]]:
        """Chunks stored before sentence vectors were (id, document id, text, spans), by id."""
        with self.session() as session:
            query = (
                select(ChunkRow.id, ChunkRow.document_id, ChunkRow.text, ChunkRow.spans)
                .where(ChunkRow.sentence_vectors.is_(None), ChunkRow.id > after)
                .order_by(ChunkRow.id)
                .limit(limit)
            )
            return [
                (int(i), int(d), text, tuple(Span(*s) for s in spans))
                for i, d, text, spans in session.execute(query)
            ]

    def store_sentence_vectors(self, packed: Mapping[int, bytes]) -> None:
        """Set chunks' packed sentence vectors (b"" for a chunk with no sentence)."""
        if not packed:
            return
        with self.session() as session:
            session.execute(
                update(ChunkRow),
                [{"id": i, "sentence_vectors": blob} for i, blob in packed.items()],
            )
            session.commit()

    def filtered_document_ids(self, filters: Filters) -> list[int]:
        """Active documents that pass the filters."""
        docs = self.documents(ACTIVE)
        wanted_topics = {t.casefold() for t in filters.topics}
        return [
            d.id
            for d in docs
            if (not filters.doc_types or d.doc_type in filters.doc_types)
            and (not wanted_topics or wanted_topics & {t.casefold() for t in d.topics})
            and (filters.year_from is None or (d.year is not None and d.year >= filters.year_from))
            and (filters.year_to is None or (d.year is not None and d.year <= filters.year_to))
            and (not filters.document_ids or d.id in filters.document_ids)
        ]

    def counts(self) -> dict[str, int]:
        with self.session() as session:
            active = DocumentRow.state == ACTIVE
            documents = session.scalar(select(func.count(DocumentRow.id)).where(active)) or 0
            pages = session.scalar(select(func.sum(DocumentRow.page_count)).where(active))
            chunks = session.scalar(
                select(func.count(ChunkRow.id))
                .join(DocumentRow, DocumentRow.id == ChunkRow.document_id)
                .where(active)
            )
            staged = session.scalar(
                select(func.count(DocumentRow.id)).where(DocumentRow.state == STAGED)
            )
            return {
                "documents": int(documents),
                "pages": int(pages or 0),
                "chunks": int(chunks or 0),
                "staged": int(staged or 0),
            }


def _delete_documents(session: Session, document_ids: Sequence[int]) -> None:
    ids = list(document_ids)
    if not ids:
        return
    # Explicit deletes rather than relying on ON DELETE CASCADE, which SQLite only honours
    # when foreign keys are switched on for the connection.
    for batch in _batches(ids):
        session.execute(delete(ChunkRow).where(ChunkRow.document_id.in_(batch)))
        session.execute(delete(PageRow).where(PageRow.document_id.in_(batch)))
        session.execute(delete(DocumentRow).where(DocumentRow.id.in_(batch)))


def _batches(ids: Iterable[int]) -> Iterator[list[int]]:
    """Sorted ids in runs short enough for one statement's bound parameters."""
    values = sorted(int(i) for i in ids)
    for start in range(0, len(values), ID_BATCH):
        yield values[start : start + ID_BATCH]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def lexical_text(title: str, heading_path: Sequence[str], text: str) -> str:
    """What BM25 reads for a chunk: the document title and section path once each, then the text.

    Every passage carries its title, so a claim that names the subject finds the later passages of
    a document too; a title the passage already opens with, or a heading equal to the title, is
    not counted twice.

    >>> lexical_text("Kinship care", ["Kinship care", "Findings"], "Kinship care. Carers said...")
    'Findings Kinship care. Carers said...'
    >>> lexical_text("Kinship care", [], "Carers said...")
    'Kinship care Carers said...'
    """
    folded = " ".join(title.split()).casefold()
    headings = [h for h in heading_path if " ".join(h.split()).casefold() != folded]
    opens_with_title = " ".join(text[: len(title) + 10].split()).casefold().startswith(folded)
    return " ".join([*([] if opens_with_title else [title]), *headings, text])
