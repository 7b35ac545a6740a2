"""Recognising a file's format from its content, and decoding text files."""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from pathlib import PurePath
from typing import Literal

from ingest.loaded import RejectedFile

Format = Literal["pdf", "docx", "html", "markdown", "text"]

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd", ".mkdn"})
_SAMPLE = 65536
_RESAVE = "open it in its application and save it as PDF, DOCX, HTML or plain text first"
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG", "image"),
    (b"\xff\xd8\xff", "JPEG", "image"),
    (b"GIF87a", "GIF", "image"),
    (b"GIF89a", "GIF", "image"),
    (b"II*\x00", "TIFF", "image"),
    (b"MM\x00*", "TIFF", "image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Microsoft Office file (.doc, .xls or .ppt)", ""),
    (b"\x1f\x8b", "gzip archive", "archive"),
    (b"Rar!", "RAR archive", "archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive", "archive"),
    (b"{\\rtf", "Rich Text Format document (.rtf)", ""),
)
_ZIP_KINDS: tuple[tuple[str, str, str], ...] = (
    ("xl/workbook.xml", "Excel workbook (.xlsx)", "export it to PDF or CSV text first"),
    ("ppt/presentation.xml", "PowerPoint presentation (.pptx)", "export it to PDF first"),
    ("content.xml", "OpenDocument file (.odt, .ods or .odp)", "save it as DOCX or PDF first"),
)
_HTML_START = re.compile(
    rb"^(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b"
)
_HTML_NEAR = re.compile(rb"<(?:html|head|body|meta|title)\b")
_MARKDOWN_LINE = re.compile(r"^(?:#{1,6} \S|```|\[[^\]]+\]: \S)", re.MULTILINE)


def detect_format(data: bytes, name: str = "") -> Format:
    """Say what a file holds, judged by its bytes; `name` only separates Markdown from text.

    Raises:
        RejectedFile: the file is empty or of a kind that cannot be indexed.

    Example: `detect_format(b"%PDF-1.7 ...", "report.docx")` returns `"pdf"`.
    """
    head = data[:1024]
    if not data.removeprefix(codecs.BOM_UTF8).strip():
        raise RejectedFile(
            "empty file", "nothing to index; check the file was saved or downloaded completely"
        )
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_format(data)
    for signature, kind, family in _SIGNATURES:
        if data.startswith(signature):
            raise _unsupported(kind, family)
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        raise _unsupported("WebP", "image")
    text = decode_text(data[:_SAMPLE], partial=True)
    lowered = text.lstrip().lower().encode("utf-8", "replace")
    if _HTML_START.match(lowered) or (
        lowered.startswith(b"<") and _HTML_NEAR.search(lowered[:1024])
    ):
        return "html"
    if PurePath(name).suffix.lower() in MARKDOWN_SUFFIXES or _looks_like_markdown(text):
        return "markdown"
    return "text"


def decode_text(data: bytes, partial: bool = False) -> str:
    """Decode text as UTF-8 (with or without BOM), UTF-16 with BOM, or else Windows-1252.

    Raises:
        RejectedFile: the bytes are binary or in no encoding we can read.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", partial)
    if b"\x00" in data:
        raise RejectedFile("binary file (contains NUL bytes)", _RESAVE)
    try:
        text = _strict(data, "utf-8-sig", partial)
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise RejectedFile("undecodable text (not UTF-8 or Windows-1252)", _RESAVE) from error
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\n\r\f")
    if controls > max(8, len(text) // 100):
        raise RejectedFile("binary file (mostly non-text bytes)", _RESAVE)
    return text


def _strict(data: bytes, encoding: str, partial: bool) -> str:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    return decoder.decode(data, final=not partial)


def _looks_like_markdown(text: str) -> bool:
    return text.startswith("---\n") or bool(_MARKDOWN_LINE.search(text))


def _zip_format(data: bytes) -> Format:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise RejectedFile(
            f"corrupt or damaged ZIP or Office file ({error})",
            "re-download it or re-save it from the original application",
        ) from error
    if "word/document.xml" in names:
        return "docx"
    for marker, kind, advice in _ZIP_KINDS:
        if marker in names:
            raise RejectedFile(f"unsupported file type: {kind}", advice)
    raise _unsupported("ZIP archive", "archive")


def _unsupported(kind: str, family: str) -> RejectedFile:
    if family == "image":
        return RejectedFile(
            f"image file with no text: {kind}",
            "run OCR and save it as a PDF with a text layer (for example with `ocrmypdf`)",
        )
    if family == "archive":
        return RejectedFile(
            f"unsupported file type: {kind}", "unpack it and ingest the documents inside"
        )
    return RejectedFile(f"unsupported file type: {kind}", _RESAVE)
