"""The single way in for a file: size check, format sniffing, the right loader, clear rejections."""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Callable
from pathlib import Path

from ingest.loaded import LoadedDocument, RejectedFile
from ingest.ocr import OcrSettings
from ingest.sniffing import MARKDOWN_SUFFIXES, Format, detect_format

NO_OCR = OcrSettings()
PageHook = Callable[[int], None]
FORMAT_NAMES: dict[Format, str] = {
    "pdf": "PDF",
    "docx": "DOCX",
    "html": "HTML",
    "markdown": "Markdown",
    "text": "plain text",
}
_SUFFIXES: dict[Format, frozenset[str]] = {
    "pdf": frozenset({".pdf"}),
    "docx": frozenset({".docx", ".docm", ".dotx"}),
    "html": frozenset({".html", ".htm", ".xhtml", ".shtml"}),
    "markdown": MARKDOWN_SUFFIXES,
    "text": frozenset({".txt", ".text"}),
}


def load_file(
    path: Path, max_bytes: int, ocr: OcrSettings = NO_OCR, on_page: PageHook | None = None
) -> LoadedDocument:
    """Load any supported file into cleaned pages and blocks; `on_page(n)` hears of each page
    recognised from a scan.

    Raises:
        RejectedFile: for anything that cannot be indexed, parser failures included.

    Example: `load_file(Path("report.pdf"), 50 * 2**20).pages[0]` is page 1's cleaned text.
    """
    data = read_bytes(path, max_bytes)
    fmt = detect_format(data, path.name)
    try:
        document = parse(data, fmt, ocr, on_page)
    except (RejectedFile, MemoryError):  # a memory cap is the caller's to report
        raise
    except Exception as error:  # a parser's crash on one file must not stop a batch
        raise RejectedFile(
            f"corrupt or damaged {FORMAT_NAMES[fmt]} file ({_short(error)})",
            "re-download it or re-save it from the original application",
        ) from error
    note = suffix_note(path.suffix, fmt)
    return dataclasses.replace(document, notes=(note, *document.notes)) if note else document


def parse(
    data: bytes, format: Format, ocr: OcrSettings = NO_OCR, on_page: PageHook | None = None
) -> LoadedDocument:
    """Run the loader for `format`; heavy parsers are imported only when needed. `ocr` says
    how PDF pages without a text layer are read (`ingest.ocr`)."""
    if format == "pdf":
        from ingest.loaders import pdf
        from ingest.ocr import scanner_for

        return pdf.load(data, scanner_for(ocr, on_page))
    if format == "docx":
        from ingest.loaders import docx

        return docx.load(data)
    if format == "html":
        from ingest.loaders import html

        return html.load(data)
    if format == "markdown":
        from ingest.loaders import markdown

        return markdown.load(data)
    from ingest.loaders import text

    return text.load(data)


def suffix_note(suffix: str, format: Format) -> str | None:
    """A note when the file name promises another format than its content, else None."""
    suffix = suffix.lower()
    if not suffix or suffix in _SUFFIXES[format]:
        return None
    return f"named {suffix} but contains {FORMAT_NAMES[format]}: read as {FORMAT_NAMES[format]}"


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """A regular file's bytes, at most `max_bytes` (checked before reading and while reading, so a
    sparse multi-gigabyte file or one still growing is refused, not read into memory).

    Raises:
        RejectedFile: not a regular file (a named pipe, a device, a folder), too large, unreadable.
    """
    try:
        status = os.stat(path)  # before opening: a socket cannot be opened, a pipe would block
        if not stat.S_ISREG(status.st_mode):
            raise RejectedFile(
                f"not a regular file ({_kind(status.st_mode)})", "give the path of a document file"
            )
        _check_size(status.st_size, max_bytes)
        with open(path, "rb", opener=_no_blocking) as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        raise RejectedFile(
            f"cannot read the file ({error.strerror or error})",
            "check that it exists and that this process may read it",
        ) from error
    _check_size(len(data), max_bytes)
    return data


def _no_blocking(path: str, flags: int) -> int:
    """Open without waiting: a file swapped for a named pipe since it was checked would otherwise
    hang the run (read, it gives nothing)."""
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise RejectedFile(
            f"file too large: {_megabytes(size)} (limit {_megabytes(max_bytes)})",
            "split it into smaller files or raise EVIDENCE_MAX_FILE_MB",
        )


def _kind(mode: int) -> str:
    kinds = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
             (stat.S_ISDIR, "a folder"))  # fmt: skip
    return next((name for test, name in kinds if test(mode)), "a special file")


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB"


def _short(error: Exception) -> str:
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return text if len(text) <= 120 else text[:117] + "..."
