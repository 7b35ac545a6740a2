"""Format detection from content, and clear rejections for what cannot be indexed."""

from __future__ import annotations

import codecs
import gzip
from pathlib import Path

import pytest

from ingest.loaded import RejectedFile
from ingest.sniffing import decode_text, detect_format
from tests.support import factories


def test_pdf_is_recognised_by_its_signature_whatever_the_name() -> None:
    assert detect_format(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "report.docx") == "pdf"
    assert detect_format(b"\n\n  junk before %PDF-1.4\n", "x") == "pdf"


def test_docx_is_recognised_inside_its_zip(tmp_path: Path) -> None:
    path = factories.make_docx(tmp_path / "a.bin", ["Hello"])
    assert detect_format(path.read_bytes(), path.name) == "docx"


@pytest.mark.parametrize(
    ("member", "kind"),
    [
        ("xl/workbook.xml", "Excel workbook (.xlsx)"),
        ("ppt/presentation.xml", "PowerPoint presentation (.pptx)"),
    ],
)
def test_other_office_zips_are_rejected_by_kind(tmp_path: Path, member: str, kind: str) -> None:
    path = factories.make_zip(tmp_path / "a.docx", {"[Content_Types].xml": "<x/>", member: "<x/>"})
    with pytest.raises(RejectedFile) as caught:
        detect_format(path.read_bytes(), path.name)
    assert caught.value.reason == f"unsupported file type: {kind}"
    assert "PDF" in caught.value.advice


def test_plain_zip_and_broken_zip_are_rejected(tmp_path: Path) -> None:
    path = factories.make_zip(tmp_path / "a.zip", {"notes.txt": "hi"})
    with pytest.raises(RejectedFile, match="ZIP archive"):
        detect_format(path.read_bytes(), path.name)
    with pytest.raises(RejectedFile, match="corrupt or damaged ZIP"):
        detect_format(b"PK\x03\x04" + b"\x00garbage" * 20, "a.docx")


@pytest.mark.parametrize("kind", ["PNG", "JPEG", "GIF", "TIFF"])
def test_images_are_rejected_with_ocr_advice(tmp_path: Path, kind: str) -> None:
    path = factories.make_image(tmp_path / "scan.pdf", kind)
    with pytest.raises(RejectedFile) as caught:
        detect_format(path.read_bytes(), path.name)
    assert caught.value.reason == f"image file with no text: {kind}"
    assert "OCR" in caught.value.advice


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "legacy Microsoft Office"),
        (gzip.compress(b"hello"), "gzip archive"),
        (b"{\\rtf1\\ansi hello}", "Rich Text Format"),
        (b"abc\x00def\x00" * 50, "binary file"),
        (bytes(range(1, 32)) * 40, "binary file"),
        (b"caf\x81\x8d\x8f\x90 " * 20, "undecodable text"),
    ],
)
def test_unsupported_content_is_rejected(data: bytes, reason: str) -> None:
    with pytest.raises(RejectedFile) as caught:
        detect_format(data, "file.txt")
    assert reason in caught.value.reason
    assert caught.value.advice


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n", codecs.BOM_UTF8 + b"\n  "])
def test_empty_files_are_rejected(data: bytes) -> None:
    with pytest.raises(RejectedFile) as caught:
        detect_format(data, "empty.pdf")
    assert caught.value.reason == "empty file"
    assert "downloaded completely" in caught.value.advice


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><html><body>x</body></html>",
        codecs.BOM_UTF8 + b"\n\n   <!doctype HTML>\n<p>x</p>",
        b"<html lang='en'><p>x</p></html>",
        b"<?xml version='1.0'?>\n<html xmlns='http://www.w3.org/1999/xhtml'></html>",
        b"<!-- saved page -->\n<head><title>x</title></head>",
        b"<div class='page'>\n<meta charset='utf-8'><p>hello</p></div>",
    ],
)
def test_html_is_recognised_after_bom_and_whitespace(data: bytes) -> None:
    assert detect_format(data, "page.pdf") == "html"


def test_markdown_by_extension_or_structure_and_text_otherwise() -> None:
    prose = b"Plain words in a plain file.\n\nAnother paragraph.\n"
    assert detect_format(prose, "notes.md") == "markdown"
    assert detect_format(prose, "notes.MARKDOWN") == "markdown"
    assert detect_format(prose, "notes.txt") == "text"
    assert detect_format(b"Intro\n\n# Findings\n\nText.\n", "notes.txt") == "markdown"
    assert detect_format(b"---\ntitle: x\n---\nBody\n", "notes") == "markdown"
    assert detect_format(b"#hashtag is not a heading\n", "notes") == "text"


def test_decode_text_handles_boms_and_windows_1252() -> None:
    assert decode_text(codecs.BOM_UTF8 + "caf\u00e9".encode()) == "caf\u00e9"
    assert decode_text("caf\u00e9 \u2019".encode("cp1252")) == "caf\u00e9 \u2019"
    assert decode_text(codecs.BOM_UTF16_LE + "hello".encode("utf-16-le")) == "hello"


def test_a_multibyte_character_cut_by_the_sample_is_not_an_error() -> None:
    data = ("\u00e9" * 40000).encode()  # 80,000 bytes: the 64 KiB sample ends mid-character
    assert detect_format(data, "a.txt") == "text"
