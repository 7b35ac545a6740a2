"""PDF loader: pypdf text per page, cleaned and laid out as headings and paragraphs."""

from __future__ import annotations

import io
import re
import statistics
from collections.abc import Sequence

import pypdf
from pypdf.errors import DependencyError

from ingest.cleaning import (
    Part,
    compose_pages,
    join_lines,
    normalise_characters,
    starts_list_item,
    strip_running_lines,
    vocabulary,
)
from ingest.loaded import LoadedDocument, MetadataHints, RejectedFile
from ingest.loaders import iso_date, meaningful_title, names

MIN_CHARACTERS_PER_PAGE = 25
_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)\]]*$")
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+\S")
_CONTENTS_ENTRY = re.compile(r"(?:\.{3,}|\s)\d+$")
_OCR_ADVICE = "run OCR first (for example `ocrmypdf in.pdf out.pdf`) and ingest the OCR'd copy"


def load(data: bytes) -> LoadedDocument:
    """Read a PDF's text layer page by page; blank pages stay as empty strings.

    Raises:
        RejectedFile: the PDF is locked, or has (almost) no text layer.
    """
    reader = _open(data)
    texts, notes = _page_texts(reader)
    _require_text(texts)
    pages = strip_running_lines([normalise_characters(text).split("\n") for text in texts])
    words = vocabulary("\n".join(line for lines in pages for line in lines))
    fallback = _typical_length([line for lines in pages for line in lines])
    parts = [assemble(lines, words, _typical_length(lines, fallback)) for lines in pages]
    page_texts, blocks = compose_pages(parts)
    return LoadedDocument("pdf", True, page_texts, blocks, _hints(reader), tuple(notes))


def assemble(lines: Sequence[str], words: frozenset[str], typical: float) -> list[Part]:
    """Group one page's lines into headings and paragraphs.

    A paragraph ends at a blank line, a list bullet, or a line that ends a sentence and stops
    noticeably short of the typical line length. A heading is a short line (or a line and a short
    lower-case continuation) without closing punctuation that opens a paragraph.
    """
    parts: list[Part] = []
    current: list[str] = []
    filled = [line.strip() for line in lines]
    index = 0
    while index < len(filled):
        line = filled[index]
        span = _heading_span(filled[index : index + 3], typical)
        if span and (not current or _closes(current[-1], typical)):
            parts.extend(_flush(current, words))
            heading = " ".join(filled[index : index + span])
            parts.append(Part(heading, "heading", heading_level(heading)))
            index += span
            continue
        if not line or starts_list_item(line):
            parts.extend(_flush(current, words))
        if line:
            current.append(line)
        if _SENTENCE_END.search(line) and len(line) < 0.8 * typical:
            parts.extend(_flush(current, words))
        index += 1
    parts.extend(_flush(current, words))
    return parts


def heading_level(heading: str) -> int:
    """1 for "Introduction" or "2 Scope", 2 for "2.1 Supervision", and so on."""
    numbered = _NUMBERED.match(heading)
    return numbered.group(1).count(".") + 1 if numbered else 1


def _closes(line: str, typical: float) -> bool:
    """Whether a line could end its paragraph: a sentence end, or far short of the margin."""
    return bool(_SENTENCE_END.search(line)) or len(line) < 0.5 * typical


def _heading_span(window: Sequence[str], typical: float) -> int:
    """How many lines from the start of `window` form a heading: 0, 1 or 2."""
    line, following, after = [*window, "", ""][:3]
    if _heading_like(line, 0.7 * typical) and not following[:1].islower():
        return 1
    wrapped = following[:1].islower() and len(following) < 0.5 * typical
    if wrapped and _heading_like(line, typical) and not re.search(r"[.,;:!]$", following):
        return 2 if not after[:1].islower() else 0
    return 0


def _heading_like(line: str, limit: float) -> bool:
    if not line or len(line) > min(100, limit) or len(line.split()) > 14:
        return False
    if re.search(r"[.,;:!]$", line) or _CONTENTS_ENTRY.search(line):
        return False
    return sum(c.isalpha() for c in line) >= 3 and (
        line[0].isupper() or bool(_NUMBERED.match(line))
    )


def _flush(current: list[str], words: frozenset[str]) -> list[Part]:
    text = join_lines(current, words)
    current.clear()
    return [Part(text)] if text else []


def _typical_length(lines: Sequence[str], fallback: float = 80.0) -> float:
    lengths = [len(line.strip()) for line in lines if len(line.strip()) > 1]
    if len(lengths) < 8:
        return fallback
    return float(statistics.quantiles(lengths, n=5)[-1])


def _open(data: bytes) -> pypdf.PdfReader:
    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            unlocked = reader.decrypt("")
        except DependencyError as error:
            raise RejectedFile(
                "encrypted PDF that needs the `cryptography` package to open",
                "install `cryptography`, or save an unlocked copy and ingest that",
            ) from error
        if unlocked == pypdf.PasswordType.NOT_DECRYPTED:
            raise RejectedFile(
                "password-protected PDF",
                "save an unlocked copy (print to PDF or remove the password) and ingest that",
            )
    return reader


def _page_texts(reader: pypdf.PdfReader) -> tuple[list[str], list[str]]:
    texts, failed = [], []
    for number, page in enumerate(reader.pages, start=1):
        try:
            texts.append(page.extract_text() or "")
        except Exception:  # one broken page must not lose the rest of the document
            texts.append("")
            failed.append(str(number))
    notes = [f"text could not be extracted from page(s) {', '.join(failed)}"] if failed else []
    empty = sum(1 for text in texts if not text.strip())
    if 0 < empty < len(texts):
        notes.append(f"{empty} of {len(texts)} pages have no extractable text (left empty)")
    return texts, notes


def _require_text(texts: Sequence[str]) -> None:
    characters = sum(len("".join(text.split())) for text in texts)
    if characters == 0:
        raise RejectedFile("scanned PDF with no text layer", _OCR_ADVICE)
    if characters < MIN_CHARACTERS_PER_PAGE * len(texts):
        raise RejectedFile(
            f"PDF with almost no text ({characters} characters over {len(texts)} page(s))",
            f"if it is a scan or a form, {_OCR_ADVICE}; otherwise export the text another way",
        )


def _hints(reader: pypdf.PdfReader) -> MetadataHints:
    try:
        info = reader.metadata
        if info is None:
            return MetadataHints()
        return MetadataHints(
            title=meaningful_title(info.get("/Title")),
            authors=names(info.get("/Author")),
            date=iso_date(info.get("/CreationDate")),
        )
    except Exception:  # damaged metadata is not worth losing the text over
        return MetadataHints()
