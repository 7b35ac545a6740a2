"""The vector index chosen by library size: approximate search judged against exact search."""

from __future__ import annotations

import json

import numpy as np
import pytest

from index import vectors
from index.library import Library
from index.settings import Settings
from index.store import MANIFEST, version_dir
from index.vectors import VectorIndex
from tests.support.doubles import HashEmbedder
from tests.support.library import PAGES, add, make_document

DIMENSION = 32


def clustered(count: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors in clouds around 200 centres, as embeddings of related passages are."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((200, DIMENSION))
    matrix = centres[rng.integers(200, size=count)] + 0.4 * rng.standard_normal((count, DIMENSION))
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    ids = np.arange(count, dtype=np.int64) * 3 + 11  # catalog ids are not 0..n-1
    return ids, matrix.astype(np.float32)


def test_plan_is_exact_while_small_and_ivf_when_large() -> None:
    assert vectors.plan(vectors.EXACT_LIMIT - 1) == {"kind": "flat"}
    assert vectors.plan(100_000) == {"kind": "ivf-sq8", "nlist": 512, "nprobe": 32}
    assert vectors.plan(1_000_000) == {"kind": "ivf-sq8", "nlist": 2048, "nprobe": 32}


def test_ivf_recall_against_exact_search(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vectors, "EXACT_LIMIT", 1_000)
    ids, matrix = clustered(20_000)
    index = VectorIndex.build(ids, matrix, DIMENSION)
    exact = VectorIndex.build(ids[:1], matrix[:1], DIMENSION)
    exact.index.reset()  # a flat index, then every vector: exact search over all of them
    exact.add(ids, matrix)
    assert index.kind == "ivf-sq8" and exact.kind == "flat"
    queries = clustered(100, seed=8)[1]
    recall = []
    for query in queries:
        truth = {i for i, _ in exact.search(query, 10, None)}
        found = {i for i, _ in index.search(query, 10, None)}
        recall.append(len(found & truth) / 10)
    assert np.mean(recall) >= 0.9


def test_ivf_edits_reconstructs_and_filters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vectors, "EXACT_LIMIT", 1_000)
    ids, matrix = clustered(5_000)
    index = VectorIndex.build(ids, matrix, DIMENSION)
    assert np.dot(index.vector(int(ids[7])), matrix[7]) > 0.99  # 8-bit codes, close
    index.remove(ids[:100])
    assert index.count == 4_900
    assert all(i not in set(ids[:100]) for i, _ in index.search(matrix[5], 10, None))
    index.add(ids[:100], matrix[:100])
    assert index.search(matrix[5], 1, None)[0][0] == ids[5]
    # A narrow filter finds its passages even far from the query's own lists.
    allowed = ids[[1, 2_000, 4_000]]
    found = index.search(matrix[3_000], 10, allowed)
    assert sorted(i for i, _ in found) == sorted(allowed.tolist())


def test_still_fits_asks_for_a_rebuild_across_kinds_and_fourfold_growth(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(vectors, "EXACT_LIMIT", 1_000)
    ids, matrix = clustered(2_000)
    flat = VectorIndex.build(ids[:500], matrix[:500], DIMENSION)
    assert flat.still_fits(900) and not flat.still_fits(1_000)
    ivf = VectorIndex.build(ids, matrix, DIMENSION)
    assert ivf.still_fits(2_500)
    assert not ivf.still_fits(9_000) and not ivf.still_fits(900)


def test_library_records_and_changes_its_index_kind_as_it_grows(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vectors, "EXACT_LIMIT", 40)
    monkeypatch.setattr(vectors, "MIN_PROBE", 64)  # tiny lists: scan them all, search is exact
    library = Library(settings, HashEmbedder())

    def manifest() -> dict[str, object]:
        version = library.current()
        assert version is not None
        path = version_dir(library.index_root, version.version) / MANIFEST
        return json.loads(path.read_text())["vectors"]  # type: ignore[no-any-return]

    add(library, make_document("supervision"), make_document("retention"))
    assert manifest()["kind"] == "flat"
    more = [make_document(name, year=year) for name in PAGES for year in range(2000, 2010)]
    add(library, *more)
    grown = manifest()
    assert grown["kind"] == "ivf-sq8" and int(grown["count"]) >= 40  # type: ignore[call-overload]
    titles = {p.meta.title for p in library.search("caseloads stay in post", limit=10)}
    assert "retention study" in titles


def test_catalog_reads_and_publishes_more_documents_than_one_statement_binds(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from index import catalog

    monkeypatch.setattr(catalog, "ID_BATCH", 2)  # SQLite and psycopg cap bound parameters
    library = Library(settings, HashEmbedder())
    first = add(library, *(make_document(name) for name in PAGES))
    add(library, *(make_document(name, year=2021) for name in PAGES), remove=tuple(first[:2]))
    assert library.catalog.counts()["documents"] == len(PAGES) * 2 - 2
    ids, matrix = library.catalog.embeddings([d.id for d in library.catalog.documents()], 64)
    assert list(ids) == sorted(ids) and len(ids) == len(matrix)
    assert {p.meta.title for p in library.search("caseloads stay in post", limit=10)}
