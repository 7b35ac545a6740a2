"""The library on real SQLite and PostgreSQL with real FAISS: staging, publishing, searching."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.embedding import ModelError
from index.library import Library, LibraryBusy
from index.records import Chunk, Document, DocumentMeta, Filters, Span
from index.settings import Settings
from index.store import version_dir
from tests.support.doubles import HashEmbedder
from tests.support.library import add, make_document


def test_search_finds_published_passages_with_page_texts(settings: Settings) -> None:
    library = Library(settings, HashEmbedder())
    add(library, make_document("supervision"), make_document("retention"))
    passages = library.search("why do social workers stay in post caseloads")
    assert passages[0].meta.title == "retention study"
    top = passages[0]
    assert top.page_texts[top.page_start][top.spans[0].start : top.spans[0].end] == top.text
    assert -1.0 <= top.dense_score <= 1.0


def test_staged_documents_are_invisible_until_published(settings: Settings) -> None:
    embedder = HashEmbedder()
    library = Library(settings, embedder)
    add(library, make_document("supervision"))
    document = make_document("retention")
    with library.writing():
        run = library.catalog.begin_run(["test"])
        library.stage(document, embedder.embed([c.text for c in document.chunks]), run, 1)
    titles = {p.meta.title for p in library.search("caseloads social workers stay")}
    assert "retention study" not in titles
    assert library.catalog.counts()["staged"] == 1


def test_removed_document_never_appears_again(settings: Settings) -> None:
    library = Library(settings, HashEmbedder())
    _, second = add(library, make_document("supervision"), make_document("retention"))
    add(library, remove=(second,))
    for question in ("caseloads stay in post", "agency staff turnover", "supervision"):
        assert all(p.document_id != second for p in library.search(question, limit=10))
    assert library.catalog.document(second) is None
    assert library.catalog.counts()["documents"] == 1


def test_filters_and_per_document_cap(settings: Settings) -> None:
    library = Library(settings, HashEmbedder())
    add(
        library,
        make_document("supervision", year=2015, doc_type="practice guidance"),
        make_document("retention", year=2022),
        make_document("frontdoor", year=2019, doc_type="statutory guidance"),
    )
    question = "social workers families referral supervision caseloads"
    assert {
        p.meta.doc_type
        for p in library.search(question, Filters(doc_types=("statutory guidance",)))
    } == {"statutory guidance"}
    assert {p.meta.year for p in library.search(question, Filters(year_from=2020))} == {2022}
    assert {p.meta.title for p in library.search(question, Filters(topics=("Supervision",)))} == {
        "supervision study"
    }
    capped = library.search(question, limit=10, per_document=1)
    assert len(capped) == 3
    assert len({p.document_id for p in capped}) == 3


def test_a_library_can_answer_from_an_older_index_version(settings: Settings) -> None:
    library = Library(settings, HashEmbedder())
    add(library, make_document("supervision"))
    add(library, make_document("retention"))
    titles = {p.meta.title for p in library.search("social workers", limit=10)}
    assert titles == {"supervision study", "retention study"} and library.version() == 2
    with library.pinned(library.open_version(1)):
        assert {p.meta.title for p in library.search("social workers", limit=10)} == {
            "supervision study"
        }
    assert {p.meta.title for p in library.search("social workers", limit=10)} == titles


def test_a_library_refuses_another_model(settings: Settings) -> None:
    add(Library(settings, HashEmbedder()), make_document("supervision"))
    other = Library(settings, HashEmbedder(dimension=32, name="other-model"))
    with pytest.raises(ModelError, match="built with the model 'hash-test-model'"):
        other.search("supervision")
    same_size = Library(settings, HashEmbedder(dimension=64, name="renamed"))
    same_size.embedder.embed = lambda texts, batch_size=64: -HashEmbedder().embed(texts)  # type: ignore[union-attr, method-assign]
    with pytest.raises(ModelError):
        add(same_size, make_document("retention"))


def test_second_writer_is_refused(settings: Settings) -> None:
    first = Library(settings, HashEmbedder())
    second = Library(settings, HashEmbedder())
    with first.writing(), pytest.raises(LibraryBusy), second.writing():
        pass


def test_unpublished_version_folder_is_ignored_and_replaced(settings: Settings) -> None:
    library = Library(settings, HashEmbedder())
    add(library, make_document("supervision"))
    row = library.catalog.library()
    assert row is not None
    stray = version_dir(settings.index_dir, row.index_version + 1)
    stray.mkdir()
    (stray / "vectors.faiss").write_bytes(b"half written")
    assert library.search("reflective supervision")  # readers follow the catalog, not the folder
    add(library, make_document("retention"))
    assert len(library.search("caseloads stay in post", limit=10)) >= 2


def test_index_matches_catalog_after_many_changes(settings: Settings) -> None:
    """FAISS holds exactly the catalog's active chunk ids, and vectors equal the stored ones."""
    library = Library(settings, HashEmbedder())
    a, b = add(library, make_document("supervision"), make_document("retention"))
    (c,) = add(library, make_document("frontdoor"), remove=(a,))
    version = library.current()
    assert version is not None
    active = [d.id for d in library.catalog.documents()]
    assert sorted(active) == sorted([b, c])
    ids, matrix = library.catalog.embeddings(active, 64)
    assert version.vectors.count == len(ids)
    for chunk_id, vector in zip(ids, matrix, strict=True):
        np.testing.assert_allclose(version.vectors.vector(int(chunk_id)), vector)
    assert sorted(version.lexical.ids.tolist()) == sorted(ids.tolist())


def test_missing_index_file_is_named_and_reindex_rebuilds_it(settings: Settings) -> None:
    from index.store import IndexFileError

    library = Library(settings, HashEmbedder())
    add(library, make_document("supervision"))
    row = library.catalog.library()
    assert row is not None
    vectors = version_dir(settings.index_dir, row.index_version) / "vectors.faiss"
    vectors.unlink()
    fresh = Library(settings, HashEmbedder())
    with pytest.raises(IndexFileError, match=str(vectors)):
        fresh.search("supervision")
    with fresh.writing():
        fresh.check_model(create=True)
        fresh.publish([], [])
    assert fresh.search("reflective supervision")[0].meta.title == "supervision study"


def test_a_second_host_builds_the_current_version_from_the_shared_catalog(
    settings: Settings, tmp_path: Path
) -> None:
    writer = Library(settings, HashEmbedder())
    add(writer, make_document("supervision"), make_document("retention"))
    other_host = Settings(home=tmp_path / "other-host", database_url=settings.catalog_url)
    reader = Library(other_host, HashEmbedder())
    question = "caseloads social workers stay in post"
    assert [p.chunk_id for p in reader.search(question)] == [
        p.chunk_id for p in writer.search(question)
    ]
    row = reader.catalog.library()
    assert row is not None
    assert version_dir(other_host.index_dir, row.index_version).exists()


def test_writers_on_two_hosts_sharing_a_catalog_are_serialised(
    settings: Settings, tmp_path: Path
) -> None:
    first = Library(settings, HashEmbedder())
    other_host = Settings(home=tmp_path / "other-host", database_url=settings.catalog_url)
    second = Library(other_host, HashEmbedder())
    with first.writing():
        if settings.database_url:  # PostgreSQL: the advisory lock spans hosts
            with pytest.raises(LibraryBusy), second.writing():
                pass
    with second.writing():
        pass  # released when the first writer finished


def test_an_index_from_an_older_analyzer_is_rebuilt_not_misread(settings: Settings) -> None:
    from dataclasses import replace

    from index.lexical import ANALYZER, LexicalIndex
    from index.store import load_version, save_version

    library = Library(settings, HashEmbedder())
    add(library, make_document("supervision"), make_document("retention"))
    current = library.current()
    assert current is not None and current.lexical.analyzer == ANALYZER
    # Files as an older release wrote them: other terms for the same passages, another analyzer.
    old = current.lexical
    vocabulary = {f"{term}~old": column for term, column in old.vocabulary.items()}
    stale = LexicalIndex(old.ids, vocabulary, old.weights, "light-1")
    save_version(settings.index_dir, replace(current, lexical=stale))
    assert load_version(settings.index_dir, current.version).lexical.analyzer == "light-1"

    reader = Library(settings, HashEmbedder())
    passages = reader.search("caseloads", mode="lexical")
    assert passages and passages[0].source == "/data/retention.pdf"
    assert passages[0].lexical_score > 0
    rebuilt = reader.current()
    assert rebuilt is not None and rebuilt.lexical.analyzer == ANALYZER


def test_a_passage_that_is_only_a_heading_is_not_returned(settings: Settings) -> None:
    heading = "Family network support packages"
    body = "Family network support packages pay for what relatives need to care for a child."
    pages = (f"{heading}\n\nMinimum expectations", body)
    chunks = (
        Chunk(0, heading, (Span(1, 0, len(heading)),), (heading,), 5),
        Chunk(1, body, (Span(2, 0, len(body)),), (heading, "Minimum expectations"), 14),
    )
    meta = DocumentMeta(title="Pathfinder evaluation", doc_type="research report")
    document = Document("/data/ffc.pdf", "hash-ffc", "pdf", True, pages, chunks, meta)
    library = Library(settings, HashEmbedder())
    add(library, document)
    passages = library.search("family network support packages", limit=5)
    assert [p.text for p in passages] == [body]
