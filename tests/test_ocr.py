"""Scanned pages read by OCR (issue 16): Tesseract and RapidOCR, for real, on scans made here.

Tesseract is a Debian package (`tesseract-ocr`, `tesseract-ocr-eng`) that `.ci/run` installs,
RapidOCR the `ocr` extra that the test extra pulls in; without either these tests fail and say
so, rather than skip.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from index.settings import Settings
from ingest import ocr
from ingest.loaded import RejectedFile
from ingest.loading import load_file
from ingest.ocr import OcrSettings, Recognised, Scanner, find_engine
from tests.support import factories

ROOT = Path(__file__).resolve().parents[1]

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


def test_asking_for_an_engine_that_is_missing_names_both_ways_to_install_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    monkeypatch.setattr(ocr, "_has_rapidocr", lambda: False)
    assert find_engine("auto") is None
    for choice in ("tesseract", "rapidocr"):
        with pytest.raises(RejectedFile) as refused:
            find_engine(choice)
        assert f"EVIDENCE_OCR={choice} but {choice} is not installed" in refused.value.reason
        assert "apt-get install tesseract-ocr tesseract-ocr-eng" in refused.value.advice
        assert "pip install 'evidence-bot[ocr]'" in refused.value.advice


def test_auto_takes_tesseract_when_installed_and_rapidocr_without_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = find_engine("auto")
    assert engine is not None and engine.name == "tesseract"
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    engine = find_engine("auto")
    assert engine is not None and engine.name == "rapidocr"


def test_rapidocr_reads_a_scan_with_the_network_unreachable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its models are inside the wheel: nothing may be fetched (any connection attempt fails)."""
    attempts: list[Any] = []

    def unreachable(*args: Any, **_kwargs: Any) -> None:
        attempts.append(args)
        raise OSError("network unreachable (test)")

    monkeypatch.setattr(socket.socket, "connect", unreachable)
    monkeypatch.setattr(socket, "create_connection", unreachable)
    title = "Inspection of Westmere local authority children's services"
    scan = factories.make_scanned_pdf(tmp_path / "scan.pdf", [[FIRST], [SECOND]], title=title)
    document = load_file(scan, LIMIT, OcrSettings("rapidocr"))
    assert not attempts
    assert len(words(FIRST) & words(document.pages[0])) >= 0.9 * len(words(FIRST))
    assert len(words(SECOND) & words(document.pages[1])) >= 0.9 * len(words(SECOND))
    assert [p.page for p in document.recognised] == [1, 2]
    assert all(
        p.engine.startswith("rapidocr ") and 0.5 < p.confidence <= 1 for p in document.recognised
    )
    assert document.hints.title == title


class Counting:
    """An engine that counts the pages it is given (wrapping a real one)."""

    def __init__(self, engine: Any) -> None:
        self.engine, self.name, self.version, self.pages = engine, engine.name, engine.version, 0

    def recognise(self, image: Any) -> Recognised:
        self.pages += 1
        result: Recognised = self.engine.recognise(image)
        return result


def test_a_recognised_page_is_kept_and_never_recognised_again(tmp_path: Path) -> None:
    scan = factories.make_scanned_pdf(tmp_path / "scan.pdf", [[FIRST], [SECOND]]).read_bytes()
    engine = Counting(find_engine("tesseract"))
    heard: list[int] = []
    scanner = Scanner(engine, cache=tmp_path / "kept", on_page=heard.append)
    first = scanner.recognise(scan, [1, 2])
    assert engine.pages == 2 and heard == [1, 2]
    assert "named support worker" in " ".join(first[0].text.split())
    assert scanner.recognise(scan, [1, 2]) == first
    assert engine.pages == 2  # both pages came from the cache
    (kept,) = (tmp_path / "kept").iterdir()
    (kept / "2.json").write_text("not json", encoding="utf-8")  # a damaged page is read again
    assert scanner.recognise(scan, [1, 2]) == first
    assert engine.pages == 3


def test_a_run_killed_mid_ocr_resumes_without_recognising_finished_pages(
    settings: Settings, tmp_path: Path
) -> None:
    """kill -9 while a ten-page scan is being read: the pages read before the kill are kept and
    the next run takes them as they are (marked here, so reading them again would show)."""
    from index.library import Library
    from ingest.job import ingest
    from ingest.settings import IngestSettings
    from tests.support.doubles import HashEmbedder

    folder = tmp_path / "in"
    folder.mkdir()
    topics = ["kinship", "adoption", "fostering", "supervision", "caseloads", "referrals",
              "education", "health", "housing", "advocacy"]  # fmt: skip
    factories.make_scanned_pdf(
        folder / "scan.pdf", [[f"Practice note on {topic}: {SECOND}"] for topic in topics]
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.crash_runner", str(settings.home),
         settings.database_url or "-", "started", str(folder)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "EVIDENCE_OCR": "auto"}, start_new_session=True,
    )  # fmt: skip
    cache = settings.home / "ocr-pages"
    deadline = time.monotonic() + 120
    while len(list(cache.glob("*/*.json"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # the run and its reader process
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL, process.stderr
    kept = sorted(cache.glob("*/*.json"))
    assert 2 <= len(kept) < 10, kept
    for path in kept:
        raw = json.loads(path.read_text(encoding="utf-8"))
        raw["text"] = f"Marker {path.stem} kept from the killed run. {raw['text']}"
        path.write_text(json.dumps(raw), encoding="utf-8")

    library = Library(settings, HashEmbedder())
    report = ingest(library, [folder], settings=IngestSettings(ocr="auto"))
    assert report.count("added") == 1, report.outcomes
    (document,) = library.catalog.documents()
    pages = library.catalog.pages_of({document.id: range(1, 11)})[document.id]
    marked = {int(path.stem) for path in kept}
    assert {n for n, text in pages.items() if "Marker" in text} == marked
    assert all(f"Marker {n} kept" in pages[n] for n in marked)
    assert all(f"note on {topic}" in pages[n] for n, topic in enumerate(topics, start=1))
    assert [p.page for p in library.scanned_pages(document)] == list(range(1, 11))
    assert not cache.exists()  # cleared once the run has ended
    library.close()


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


def test_a_long_scan_is_read_to_the_end_though_it_takes_longer_than_the_file_time_cap(
    tmp_path: Path,
) -> None:
    """The reader's time cap counts from the last page recognised. The cap is set from one
    page's time here (three pages' worth and a second for starting the reader); twenty-four
    pages, two at a time, take some twelve."""
    from ingest.isolation import Reader

    pages = [[f"Practice note {n}: {SECOND}"] for n in range(24)]
    scan = factories.make_scanned_pdf(tmp_path / "long.pdf", pages)
    one = factories.make_scanned_pdf(tmp_path / "one.pdf", pages[:1])
    started = time.monotonic()
    load_file(one, LIMIT, OcrSettings("tesseract"))
    cap = 3 * (time.monotonic() - started) + 1.0
    with Reader(2**30, seconds=cap) as reader:
        document = reader.load(scan, LIMIT, OcrSettings("tesseract"))
    assert len(document.recognised) == 24
