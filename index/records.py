"""Plain frozen records that cross package boundaries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

DOC_TYPES: tuple[str, ...] = (
    "statutory guidance",
    "practice guidance",
    "research report",
    "systematic review",
    "inspection report",
    "data specification",  # and technical guidance: how to record and return data
    "other",
)


@dataclass(frozen=True)
class Span:
    """A stretch of one page's text: `pages[page - 1][start:end]`."""

    page: int
    start: int
    end: int


class OnPages:
    """The page range of something made of spans."""

    spans: tuple[Span, ...]

    @property
    def page_start(self) -> int:
        return self.spans[0].page

    @property
    def page_end(self) -> int:
        return self.spans[-1].page


@dataclass(frozen=True)
class DocumentMeta:
    """What a citation says about a document."""

    title: str
    authors: tuple[str, ...] = ()
    publisher: str | None = None
    year: int | None = None
    date: str | None = None
    source_url: str | None = None
    licence: str | None = None
    doc_type: str = "other"
    topics: tuple[str, ...] = ()
    sample: bool = False


@dataclass(frozen=True)
class StoredDocument:
    """A document as the catalog holds it: what ingestion, the commands and the bot read about
    it, never the catalog's own row."""

    id: int
    source: str
    content_hash: str
    state: str
    run_id: int | None
    format: str
    paginated: bool
    title: str
    authors: tuple[str, ...]
    publisher: str | None
    year: int | None
    date: str | None
    source_url: str | None
    licence: str | None
    doc_type: str
    topics: tuple[str, ...]
    sample: bool
    notes: tuple[str, ...]
    size_bytes: int
    page_count: int
    chunk_count: int
    added_at: datetime

    @property
    def meta(self) -> DocumentMeta:
        """The citation details."""
        return DocumentMeta(
            title=self.title,
            authors=self.authors,
            publisher=self.publisher,
            year=self.year,
            date=self.date,
            source_url=self.source_url,
            licence=self.licence,
            doc_type=self.doc_type,
            topics=self.topics,
            sample=self.sample,
        )


@dataclass(frozen=True)
class Chunk(OnPages):
    """A retrievable piece of a document, traceable to exact page offsets.

    `text` is the span texts joined by a blank line, in order.
    """

    ordinal: int
    text: str
    spans: tuple[Span, ...]
    heading_path: tuple[str, ...]
    token_count: int


@dataclass(frozen=True)
class Document:
    """A parsed document ready for the library: cleaned page texts, chunks and metadata."""

    source: str
    content_hash: str
    format: str
    paginated: bool
    pages: tuple[str, ...]
    chunks: tuple[Chunk, ...]
    meta: DocumentMeta
    notes: tuple[str, ...] = ()
    scanned: tuple[ScannedPage, ...] = ()  # pages read by OCR


@dataclass(frozen=True)
class ScannedPage:
    """A page whose text was recognised from its image (OCR), not read from a text layer."""

    page: int
    engine: str  # name and version, e.g. "tesseract 5.3.0"
    confidence: float  # the engine's mean word confidence, 0 to 1


@dataclass(frozen=True)
class Filters:
    """Restricts retrieval; empty fields mean no restriction."""

    doc_types: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    document_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Passage(OnPages):
    """A retrieved chunk with its document's citation details and the pages it lies on."""

    chunk_id: int
    document_id: int
    source: str
    meta: DocumentMeta
    paginated: bool
    text: str
    spans: tuple[Span, ...]
    heading_path: tuple[str, ...]
    page_texts: dict[int, str] = field(default_factory=dict)
    score: float = 0.0
    dense_score: float = 0.0
    lexical_score: float = 0.0
    # Vectors of the passage's sentences by (page, start, end), where the library stored them.
    sentence_vectors: Mapping[tuple[int, int, int], np.ndarray] = field(default_factory=dict)
    scanned: Mapping[int, ScannedPage] = field(default_factory=dict)  # its pages read by OCR


@dataclass(frozen=True)
class LibraryStats:
    """What a library holds and where: `Library.stats()`."""

    documents: int
    pages: int
    chunks: int
    staged: int
    model: str | None
    dimension: int | None
    index_version: int
    vector_index: str | None  # "flat" (exact) or "ivf-sq8", chosen by size at publishing
    published_at: datetime | None
    catalog: str  # the catalog's address, password hidden
    home: Path
    index_bytes: int
    catalog_bytes: int
