"""What a loader hands to the rest of ingestion: cleaned page texts and located blocks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from index import ScannedPage


class RejectedFile(Exception):
    """A file that cannot be indexed: what is wrong with it and what to do about it."""

    def __init__(self, reason: str, advice: str) -> None:
        super().__init__(f"{reason}: {advice}")
        self.reason = reason
        self.advice = advice


@dataclass(frozen=True)
class Block:
    """A heading, paragraph or aside, located in one page's cleaned text.

    An aside is printed but never evidence (a cover block, a contents line): it stays in the
    page text and is left out of every chunk.

    Its text is `pages[page - 1][start:end]`; it never spans pages.
    """

    page: int
    start: int
    end: int
    kind: Literal["heading", "paragraph", "aside"] = "paragraph"
    level: int = 0  # heading level, 1 = top; 0 for paragraphs


@dataclass(frozen=True)
class MetadataHints:
    """Metadata found in the file itself: PDF info, DOCX properties, HTML meta, front matter."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    publisher: str | None = None
    date: str | None = None  # ISO date or year as found, e.g. "2024-05-01" or "2024"
    source_url: str | None = None
    licence: str | None = None
    doc_type: str | None = None
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class LoadedDocument:
    """A file's cleaned text, split into pages and blocks in reading order."""

    format: Literal["pdf", "docx", "html", "markdown", "text"]
    paginated: bool
    pages: tuple[str, ...]
    blocks: tuple[Block, ...]
    hints: MetadataHints
    notes: tuple[str, ...] = ()  # e.g. "named .pdf but contains HTML: read as HTML"
    recognised: tuple[ScannedPage, ...] = ()  # pages read by OCR, not from a text layer
