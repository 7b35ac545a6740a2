"""The ingestion job end to end on real files, SQLite and PostgreSQL, real FAISS."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.library import Library
from index.settings import Settings
from ingest.job import ingest
from ingest.settings import IngestSettings
from tests.support import factories
from tests.support.doubles import HashEmbedder


def evidence_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    factories.make_pdf(
        folder / "supervision.pdf",
        [
            ["# Reflective supervision", factories.prose(6, seed=1),
             "Reflective supervision gave practitioners time to think about each child."],
            ["# Findings", factories.prose(6, seed=2)],
            ["# Discussion", factories.prose(6, seed=3)],
        ],
        title="Reflective supervision in practice",
        footer="Page {page} of {pages}",
    )  # fmt: skip
    factories.make_docx(
        folder / "retention.docx",
        ["# Staying in post", "Manageable caseloads kept social workers in their jobs."],
        title="Retention briefing",
    )
    factories.write(
        folder / "frontdoor.html",
        factories.html_page(
            "<nav>Home | Contact</nav><main><h1>The front door</h1>"
            "<p>Every referral is screened by a qualified social worker within one working day."
            "</p></main><script>track()</script>",
            title="Front door guide",
        ),
    )
    factories.write(
        folder / "kinship.md",
        factories.front_matter(
            {"title": "Kinship first", "year": 2022},
            "# Kinship\n\nFamily group conferences bring relatives in before care is considered.\n",
        ),
    )
    factories.write(
        folder / "notes.txt", "WORKLOADS\n\nAgency staff turnover harms relationships.\n"
    )
    return folder


def titles(library: Library, question: str) -> set[str]:
    return {p.meta.title for p in library.search(question, limit=10)}


def test_ingests_every_format_and_answers_from_them(settings: Settings, tmp_path: Path) -> None:
    folder = evidence_folder(tmp_path / "in")
    library = Library(settings, HashEmbedder())
    report = ingest(library, [folder])
    assert report.count("added") == 5, report.outcomes
    assert not report.failed
    assert {d.format for d in library.catalog.documents()} == {
        "pdf",
        "docx",
        "html",
        "markdown",
        "text",
    }
    assert "Reflective supervision in practice" in titles(library, "reflective supervision child")
    pdf = next(d for d in library.catalog.documents() if d.format == "pdf")
    assert pdf.page_count == 3
    pages = library.catalog.pages(pdf.id)
    assert not any("Page 1 of 3" in text for text in pages.values())  # footer removed
    html = next(d for d in library.catalog.documents() if d.format == "html")
    assert "track()" not in library.catalog.pages(html.id)[1]
    assert "Home | Contact" not in library.catalog.pages(html.id)[1]


def test_rerun_embeds_nothing_and_changed_file_replaces_old(
    settings: Settings, tmp_path: Path
) -> None:
    folder = evidence_folder(tmp_path / "in")
    ingest(Library(settings, HashEmbedder()), [folder])
    embedder = HashEmbedder()
    library = Library(settings, embedder)
    again = ingest(library, [folder])
    assert again.count("unchanged") == 5
    assert again.embedded_chunks == 0
    assert embedder.embedded == 1  # the model fingerprint check, no chunk
    assert again.index_version is None

    factories.write(
        folder / "notes.txt", "WORKLOADS\n\nPeer mentoring helped newly qualified staff.\n"
    )
    changed = ingest(library, [folder])
    assert changed.count("updated") == 1
    assert changed.count("unchanged") == 4
    docs = [d for d in library.catalog.documents() if d.source.endswith("notes.txt")]
    assert len(docs) == 1
    texts = [p.text for p in library.search("agency staff turnover relationships", limit=10)]
    assert not any("Agency staff turnover" in t for t in texts)
    assert any("Peer mentoring" in p.text for p in library.search("peer mentoring newly qualified"))


def test_sync_removes_documents_whose_files_are_gone(settings: Settings, tmp_path: Path) -> None:
    folder = evidence_folder(tmp_path / "in")
    library = Library(settings, HashEmbedder())
    ingest(library, [folder])
    (folder / "retention.docx").unlink()
    without_sync = ingest(library, [folder])
    assert without_sync.count("removed") == 0
    assert len(library.catalog.documents()) == 5
    report = ingest(library, [folder], sync=True)
    assert report.count("removed") == 1
    assert "Retention briefing" not in titles(library, "manageable caseloads social workers")
    assert len(library.catalog.documents()) == 4


def test_bad_files_are_reported_by_name_and_the_rest_goes_on(
    settings: Settings, tmp_path: Path
) -> None:
    folder = evidence_folder(tmp_path / "in")
    factories.write(folder / "empty.pdf", b"")
    factories.make_corrupt_pdf(folder / "broken.pdf")
    factories.make_encrypted_pdf(folder / "locked.pdf")
    factories.make_image_pdf(folder / "scanned.pdf")
    factories.make_image(folder / "photo.png")
    factories.write(
        folder / "saved-page.pdf", factories.html_page("<p>Misnamed page about contact.</p>")
    )
    library = Library(settings, HashEmbedder())
    report = ingest(library, [folder])
    failed = {Path(o.source).name: o for o in report.outcomes if o.status == "failed"}
    assert set(failed) == {"empty.pdf", "broken.pdf", "locked.pdf", "scanned.pdf", "photo.png"}
    assert "empty" in failed["empty.pdf"].reason
    assert "password" in failed["locked.pdf"].reason
    assert "OCR" in failed["scanned.pdf"].advice
    assert all(o.advice for o in failed.values())
    assert report.failed
    assert report.count("added") == 6
    misnamed = next(o for o in report.outcomes if o.source.endswith("saved-page.pdf"))
    assert any("HTML" in note for note in misnamed.notes)


def test_oversize_file_is_refused(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "lib")
    folder = tmp_path / "in"
    folder.mkdir()
    factories.write(folder / "big.txt", "Long text about supervision. " * 200)
    limited = IngestSettings(max_file_mb=0.001)
    report = ingest(Library(settings, HashEmbedder()), [folder], settings=limited)
    (outcome,) = report.outcomes
    assert outcome.status == "failed"
    assert "MB" in outcome.reason


def test_manifest_and_flags_override_metadata(settings: Settings, tmp_path: Path) -> None:
    folder = evidence_folder(tmp_path / "in")
    factories.write(
        folder / "manifest.csv",
        "file,title,publisher,year,doc_type,topics\n"
        "kinship.md,Kinship care study,Example Trust,2019,research,"
        "kinship; reducing the need for care\n",
    )
    library = Library(settings, HashEmbedder())
    ingest(library, [folder])
    kinship = next(d for d in library.catalog.documents() if d.source.endswith("kinship.md"))
    assert (kinship.title, kinship.publisher, kinship.year) == (
        "Kinship care study",
        "Example Trust",
        2019,
    )
    assert kinship.doc_type == "research report"
    assert "kinship" in kinship.topics

    # An unchanged file whose manifest row or flags now say otherwise: details updated in place,
    # nothing embedded again, and the new title is searchable.
    embedder = HashEmbedder()
    relabelled = ingest(
        Library(settings, embedder),
        [folder / "notes.txt"],
        overrides={"licence": "CC BY 4.0", "title": "Quarterly zephyrine digest"},
    )
    assert relabelled.count("updated") == 1 and relabelled.embedded_chunks == 0
    assert embedder.embedded == 1  # the model fingerprint check only
    assert relabelled.index_version is not None
    notes = next(d for d in library.catalog.documents() if d.source.endswith("notes.txt"))
    assert (notes.licence, notes.title) == ("CC BY 4.0", "Quarterly zephyrine digest")
    assert len([d for d in library.catalog.documents() if d.source.endswith("notes.txt")]) == 1
    found = Library(settings, HashEmbedder()).search("zephyrine", mode="lexical")
    assert found and found[0].source.endswith("notes.txt")
    again = ingest(library, [folder / "notes.txt"], overrides={"licence": "CC BY 4.0"})
    assert again.count("unchanged") == 1 and again.index_version is None
    factories.write(folder / "more.txt", "MORE\n\nSomething new about supervision frequency.\n")
    ingest(library, [folder / "more.txt"], overrides={"licence": "CC BY 4.0", "title": "More"})
    more = next(d for d in library.catalog.documents() if d.source.endswith("more.txt"))
    assert (more.licence, more.title) == ("CC BY 4.0", "More")


def test_an_unexpected_error_on_one_file_does_not_stop_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingest import job as job_module

    folder = evidence_folder(tmp_path / "in")
    real_load = job_module.Reader.load

    def flaky(reader, path: Path, *args):  # type: ignore[no-untyped-def]
        if path.name == "kinship.md":
            raise KeyError("boom")
        return real_load(reader, path, *args)

    monkeypatch.setattr(job_module.Reader, "load", flaky)
    library = Library(Settings(home=tmp_path / "lib"), HashEmbedder())
    report = ingest(library, [folder])
    (failed,) = [o for o in report.outcomes if o.status == "failed"]
    assert failed.source.endswith("kinship.md")
    assert "KeyError" in failed.reason
    assert report.count("added") == 4
