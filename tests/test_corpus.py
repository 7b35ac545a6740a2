"""Awkward real PDFs from ../shared/corpus (read by path, never copied into the project)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.loaded import RejectedFile
from ingest.loading import load_file

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
LIMIT = 100 * 1024 * 1024

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"the shared corpus is not beside the project at {CORPUS}"
)


def test_image_only_pdf_is_rejected_with_ocr_advice() -> None:
    with pytest.raises(RejectedFile) as caught:
        load_file(CORPUS / "robustness" / "pypdf_grayscale-image.pdf", LIMIT)
    assert "no text layer" in caught.value.reason
    assert "OCR" in caught.value.advice


def test_damaged_pdf_is_rejected_not_raised() -> None:
    with pytest.raises(RejectedFile) as caught:
        load_file(CORPUS / "robustness" / "pypdf_unreadablemetadata.pdf", LIMIT)
    assert "corrupt or damaged PDF" in caught.value.reason


def test_two_column_pdf_reads_each_column_in_order() -> None:
    document = load_file(CORPUS / "robustness" / "pypdf_multicolumn.pdf", LIMIT)
    first = document.pages[0]
    # Whole sentences survive: lines of the two columns are not interleaved.
    assert "Lorem ipsum dolor sit amet, consectetuer adipiscing elit. Ut purus elit," in first
    assert first.index("Abstract") < first.index("Lorem ipsum dolor sit amet")


def test_inspection_report_loses_running_headers_and_keeps_findings() -> None:
    document = load_file(CORPUS / "ofsted_ilacs" / "ILACS_hackney_20_august_2024.pdf", LIMIT)
    assert len(document.pages) == 13
    later_pages = "\n".join(document.pages[2:])
    assert "Inspection of Hackney local authority children’s services" not in later_pages
    assert "What needs to improve" in "\n".join(document.pages)
