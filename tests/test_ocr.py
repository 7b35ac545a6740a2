"""Scanned pages read by OCR (issue 16, first step): Tesseract, for real, on scans made here.

Tesseract is a Debian package (`tesseract-ocr`, `tesseract-ocr-eng`) that `.ci/run` installs;
without it these tests fail and say so, rather than skip.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.loaded import RejectedFile
from ingest.loading import load_file
from ingest.ocr import OcrSettings, find_engine
from tests.support import factories

LIMIT = 2**26
FIRST = (
    "Kinship carers should receive a named support worker within the first month of the "
    "placement, and a review of their needs after three months."
)
SECOND = "Supervision should take place at least monthly and be recorded on the child's file."


@pytest.fixture(scope="module", autouse=True)
def tesseract() -> None:
    assert shutil.which("tesseract"), (
        "Tesseract is not installed: apt-get install tesseract-ocr tesseract-ocr-eng "
        "(.ci/run does this)"
    )


def words(text: str) -> set[str]:
    return {w.strip(".,").casefold() for w in text.split()}


def test_a_scanned_pdf_is_read_with_its_pages_marked_as_recognised(tmp_path: Path) -> None:
    scan = factories.make_scanned_pdf(tmp_path / "scan.pdf", [["Kinship care", FIRST], [SECOND]])
    document = load_file(scan, LIMIT, OcrSettings("auto"))
    assert len(document.pages) == 2
    assert len(words(FIRST) & words(document.pages[0])) >= 0.9 * len(words(FIRST))
    assert len(words(SECOND) & words(document.pages[1])) >= 0.9 * len(words(SECOND))
    assert [p.page for p in document.recognised] == [1, 2]
    assert all(
        p.engine.startswith("tesseract ") and 0.5 < p.confidence <= 1 for p in document.recognised
    )
    assert any("recognised from a scan" in note for note in document.notes)
    assert document.blocks  # chunkable like any page


def test_a_scanned_cover_gives_the_title_in_its_largest_print(tmp_path: Path) -> None:
    title = "Inspection of Westmere local authority children's services"
    scan = factories.make_scanned_pdf(tmp_path / "scan.pdf", [[FIRST, SECOND]], title=title)
    document = load_file(scan, LIMIT, OcrSettings("auto"))
    assert document.hints.title == title


def test_only_the_pages_without_a_text_layer_are_recognised(tmp_path: Path) -> None:
    import pypdf

    digital = factories.make_pdf(tmp_path / "digital.pdf", [["# Supervision", SECOND * 3]])
    scan = factories.make_scanned_pdf(tmp_path / "scan.pdf", [[FIRST]])
    writer = pypdf.PdfWriter()
    for part in (digital, scan):
        writer.append(str(part))
    writer.write(tmp_path / "mixed.pdf")
    document = load_file(tmp_path / "mixed.pdf", LIMIT, OcrSettings("tesseract"))
    assert [p.page for p in document.recognised] == [2]
    assert "monthly" in document.pages[0]
    assert "named support worker" in " ".join(document.pages[1].split())


def test_a_document_with_more_pages_to_recognise_than_the_cap_is_refused(tmp_path: Path) -> None:
    scan = factories.make_scanned_pdf(tmp_path / "scan.pdf", [[FIRST], [SECOND], [FIRST]])
    with pytest.raises(RejectedFile) as refused:
        load_file(scan, LIMIT, OcrSettings("auto", max_pages=2))
    assert "3 pages would need OCR, more than EVIDENCE_OCR_MAX_PAGES (2)" in refused.value.reason


def test_with_ocr_off_a_scan_is_refused_naming_both_ways_to_read_it(tmp_path: Path) -> None:
    scan = factories.make_scanned_pdf(tmp_path / "scan.pdf", [[FIRST]])
    with pytest.raises(RejectedFile) as refused:
        load_file(scan, LIMIT, OcrSettings("off"))
    assert "EVIDENCE_OCR=auto" in refused.value.advice and "ocrmypdf" in refused.value.advice


def test_asking_for_tesseract_where_it_is_missing_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    assert find_engine("auto") is None
    with pytest.raises(RejectedFile) as refused:
        find_engine("tesseract")
    assert "apt-get install tesseract-ocr tesseract-ocr-eng" in refused.value.advice


def test_a_quote_from_a_scanned_page_says_so_everywhere_it_is_shown(tmp_path: Path) -> None:
    from datetime import datetime

    from bot.answering import Answerer
    from bot.note import supervision_note
    from bot.rendering import SCAN_FLAG, render_text, to_dict
    from bot.slack.blocks import answer_messages
    from bot.teams.citations import SCAN_KEYWORD, citation_keywords
    from index.library import Library
    from index.settings import Settings
    from ingest.job import ingest
    from ingest.settings import IngestSettings
    from tests.support.doubles import HashEmbedder

    folder = tmp_path / "in"
    folder.mkdir()
    factories.make_scanned_pdf(folder / "kinship-scan.pdf", [["Kinship care", FIRST]])
    factories.make_pdf(folder / "digital.pdf", [["# Supervision", SECOND * 2]])
    library = Library(Settings(home=tmp_path / "library"), HashEmbedder())
    report = ingest(library, [folder], settings=IngestSettings(ocr="auto"))
    assert report.count("added") == 2
    answer = Answerer(library, library.settings.min_score).answer(
        "When should kinship carers receive a named support worker?"
    )
    scanned = [c for c in answer.citations + answer.related if "kinship-scan" in c.source]
    assert scanned, answer
    citation = scanned[0]
    assert citation.text_source == "ocr" and citation.ocr_confidence and citation.scanned
    assert all(c.text_source == "digital" for c in answer.citations if "digital" in c.source)
    assert SCAN_FLAG in " ".join(render_text(answer).split())
    shown = to_dict(answer)
    assert any(c["text_source"] == "ocr" for c in shown["citations"] + shown["possibly_related"])
    blocks = str([m.blocks for m in answer_messages(answer, library_version=1)])
    assert SCAN_FLAG in blocks
    assert SCAN_KEYWORD in citation_keywords(citation)
    note = supervision_note(answer, asked_at=datetime(2026, 12, 4), library_version=1)
    assert SCAN_FLAG in note or not answer.answered
    library.close()


def test_docs_show_lists_the_pages_read_from_a_scan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from evidence.cli import run
    from index.library import Library
    from index.settings import Settings
    from ingest.job import ingest
    from ingest.settings import IngestSettings
    from tests.support.doubles import HashEmbedder

    scan = factories.make_scanned_pdf(tmp_path / "scan.pdf", [[FIRST], [SECOND]])
    library = Library(Settings(home=tmp_path / "library"), HashEmbedder())
    ingest(library, [scan], settings=IngestSettings(ocr="auto"))
    (document,) = library.catalog.documents()
    library.close()
    capsys.readouterr()
    home = str(tmp_path / "library")
    assert run(["--home", home, "docs", "show", str(document.id), "--json"], {}) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [p.split(" ")[1] for p in shown["recognised_pages"]] == ["1", "2"]
    assert all("tesseract" in p and "confidence" in p for p in shown["recognised_pages"])
