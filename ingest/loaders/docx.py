"""DOCX loader: python-docx paragraphs and table cells in body order, as one page."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

import docx
from docx.document import Document as WordDocument
from docx.table import Table
from docx.text.paragraph import Paragraph

from ingest.cleaning import Part, compose_pages
from ingest.loaded import LoadedDocument, MetadataHints, RejectedFile
from ingest.loaders import iso_date, meaningful_title, names, terms

_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
MAX_UNPACKED = 1024 * 2**20  # a 100 MB Word file is mostly images, stored about as they are
MAX_PARTS = 20_000


def load(data: bytes) -> LoadedDocument:
    """Read a Word document: heading styles become headings, table cells become paragraphs.

    Raises:
        RejectedFile: its parts would unpack to more than `MAX_UNPACKED` bytes.
    """
    check_unpacked_size(data)
    document = docx.Document(io.BytesIO(data))  # lxml here resolves no entities, fetches nothing
    parts = list(_parts(document.iter_inner_content()))
    pages, blocks = compose_pages([parts])
    return LoadedDocument("docx", False, pages, blocks, _hints(document))


def check_unpacked_size(data: bytes) -> None:
    """Refuse a decompression bomb before unpacking it: the sizes its zip directory declares
    bound what unpacking can produce (Python's zipfile stops a part at its declared size)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = archive.infolist()
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNPACKED or len(parts) > MAX_PARTS:
        raise RejectedFile(
            f"its {len(parts)} parts would unpack to {unpacked / 2**30:.1f} GB: a decompression "
            f"bomb, or not a real Word document (limit {MAX_UNPACKED // 2**20} MB, "
            f"{MAX_PARTS} parts)",
            "re-save it from Word; split a genuinely huge document",
        )


def style_level(style_name: str) -> int:
    """Heading level of a paragraph style: "Title" and "Heading 1" are 1, body styles are 0."""
    if style_name.strip().lower() == "title":
        return 1
    match = _HEADING_STYLE.match(style_name.strip())
    return int(match.group(1)) if match else 0


def _parts(content: Iterator[Paragraph | Table]) -> Iterator[Part]:
    for item in content:
        if isinstance(item, Paragraph):
            level = style_level(item.style.name if item.style is not None else "")
            yield Part(item.text, "heading", level) if level else Part(item.text)
        else:
            yield from _table_parts(item)


def _table_parts(table: Table) -> Iterator[Part]:
    seen: set[object] = set()  # holding the elements keeps their identities stable
    for row in table.rows:
        for cell in row.cells:
            if cell._tc in seen:  # a merged cell is repeated once per grid column it covers
                continue
            seen.add(cell._tc)
            yield from _parts(cell.iter_inner_content())


def _hints(document: WordDocument) -> MetadataHints:
    properties = document.core_properties
    return MetadataHints(
        title=meaningful_title(properties.title),
        authors=names(properties.author),
        date=iso_date(properties.created),
        topics=terms(properties.keywords),
    )
