"""The library: the catalog, the current index version and the model, behind one object.

Readers call `search`; the ingestion job calls `stage` for each document and `publish` once.
"""

from __future__ import annotations

import errno
import fcntl
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from index.catalog import Catalog, meta_of, spans_of
from index.embedding import Embedder, check_same_model, probe_vector
from index.lexical import ANALYZER, LexicalIndex, TermWeights
from index.records import (
    Document,
    DocumentMeta,
    Filters,
    LibraryStats,
    Passage,
    ScannedPage,
    StoredDocument,
)
from index.retrieval import cap_per_group, twin_of
from index.search import Candidates, find_candidates
from index.sentence_vectors import embed_chunks, unpack
from index.settings import Settings
from index.store import (
    IndexFileError,
    IndexVersion,
    disk_size,
    load_version,
    prune,
    read_manifest,
    save_version,
    version_dir,
)
from index.tables import ACTIVE, STAGED
from index.vectors import VectorIndex

CANDIDATES = 50  # per retriever, before fusion and the per-document cap
# hybrid: weighted score fusion of dense and BM25 (the default); rrf: reciprocal rank fusion of the
# two rankings, kept to measure against; dense and lexical: one retriever alone.
MODES = ("hybrid", "rrf", "dense", "lexical")


class LibraryBusy(RuntimeError):
    """Another process is writing to this library."""


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__


class LibraryFull(RuntimeError):
    """The disk holding the library (or its catalog) filled up while writing; nothing changed."""


_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
_FULL_MESSAGES = ("disk is full", "no space left", "could not extend file", "disk full")


def out_of_space(error: BaseException) -> bool:
    """Whether `error`, or what caused it, means the disk is full: an OSError (ENOSPC, EDQUOT,
    EFBIG), or SQLite, PostgreSQL or FAISS saying so in their own words."""
    seen: BaseException | None = error
    for _ in range(10):  # the chain of causes, bounded
        if seen is None:
            return False
        if isinstance(seen, OSError) and seen.errno in _FULL_ERRNOS:
            return True
        message = str(seen).casefold()
        if any(m in message for m in _FULL_MESSAGES):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


@dataclass(frozen=True)
class Hit:
    chunk_id: int
    fused: float


class Library:
    """One evidence library: a catalog plus versioned index files under `settings.home`."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.catalog = Catalog(settings.catalog_url)
        self.embedder = embedder
        self.index_root: Path = settings.index_dir
        self._version: IndexVersion | None = None
        self._pinned: IndexVersion | None = None
        self._model_checked = False

    def close(self) -> None:
        self.catalog.close()

    # -- model ----------------------------------------------------------------------------------

    def require_embedder(self) -> Embedder:
        """The model this library was opened with; RuntimeError when it was opened without."""
        if self.embedder is None:
            raise RuntimeError("this library was opened without an embedding model")
        return self.embedder

    def check_model(self, *, create: bool = False) -> None:
        """Refuse to mix models: record the model on first write, compare it on every open."""
        if self._model_checked:
            return
        embedder = self.require_embedder()
        row = self.catalog.library()
        if row is None:
            if not create:
                return
            self.catalog.create_library(embedder.name, embedder.dimension, probe_vector(embedder))
            row = self.catalog.library()
            if row is None:
                raise RuntimeError("the catalog did not keep the library's record")
        check_same_model(embedder, row.model_name, row.model_dimension, row.model_probe)
        self._model_checked = True

    # -- what the library holds -----------------------------------------------------------------

    def require_schema(self) -> None:
        """Raise `CatalogError`, saying what to do, when there is no library here yet."""
        self.catalog.require_schema()

    def documents(self) -> list[StoredDocument]:
        """The published documents, oldest first."""
        return self.catalog.documents(ACTIVE)

    def staged(self) -> list[StoredDocument]:
        """Documents stored by a run that has not published them (a killed run's, say)."""
        return self.catalog.documents(STAGED)

    def document(self, document_id: int) -> StoredDocument | None:
        """A published document by id; None when there is none (or it is not published)."""
        found = self.catalog.document(document_id)
        return found if found is not None and found.state == ACTIVE else None

    def scanned_pages(self, document: StoredDocument) -> list[ScannedPage]:
        """The document's pages recognised from a scan (OCR), in page order."""
        found = self.catalog.scanned_pages({document.id: range(1, document.page_count + 1)})
        return sorted(found[document.id].values(), key=lambda page: page.page)

    def documents_from(self, source: str) -> list[StoredDocument]:
        """The published documents read from the file at `source`."""
        return [d for d in self.catalog.find_documents(source) if d.state == ACTIVE]

    def stats(self) -> LibraryStats:
        """Counts, model, index version and size on disk, for `evidence stats` and admins."""
        counts = self.catalog.counts()
        row = self.catalog.library()
        version = row.index_version if row else 0
        manifest = read_manifest(self.index_root, version) if version else None
        home = self.settings.home
        return LibraryStats(
            documents=counts["documents"],
            pages=counts["pages"],
            chunks=counts["chunks"],
            staged=counts["staged"],
            model=row.model_name if row else None,
            dimension=row.model_dimension if row else None,
            index_version=version,
            vector_index=(manifest or {}).get("vectors"),
            published_at=row.published_at if row else None,
            catalog=self.catalog.safe_url,
            home=home.resolve(),
            index_bytes=disk_size(self.index_root),
            catalog_bytes=sum(
                p.stat().st_size for p in home.glob("catalog.sqlite3*") if p.is_file()
            ),
        )

    # -- reading --------------------------------------------------------------------------------

    def version(self) -> int | None:
        """The published index version readers use; None before the library is first written."""
        row = self.catalog.library()
        return row.index_version if row else None

    def open_version(self, version: int) -> IndexVersion:
        """One index version of this library, read from its folder (an older one, say)."""
        return load_version(self.index_root, version)

    @contextmanager
    def pinned(self, version: IndexVersion) -> Iterator[None]:
        """Answer from `version` (opened here, or built by the caller over the same catalog)
        instead of following the catalog's published version, until the block ends."""
        self._pinned = version
        try:
            yield
        finally:
            self._pinned = None

    def current(self) -> IndexVersion | None:
        """The published index version, reloaded when a writer has published a newer one."""
        if self._pinned is not None:
            return self._pinned
        for attempt in range(2):
            row = self.catalog.library()
            if row is None or row.index_version == 0:
                return None
            if self._version is not None and self._version.version == row.index_version:
                return self._version
            try:
                if not version_dir(self.index_root, row.index_version).exists():
                    self._materialise(row.index_version, row.model_dimension)
                self._version = load_version(self.index_root, row.index_version)
                return self._version
            except IndexFileError:
                # A writer may have published and pruned between our two reads: look again once.
                if attempt:
                    raise
        return None

    def _materialise(self, version: int, dimension: int) -> None:
        """Build a published version's files here from the catalog (another host published it).

        With a shared PostgreSQL catalog, each host keeps its own index files; the catalog holds
        every embedding, so a host that lacks the current version builds it without the model.
        """
        active = [d.id for d in self.catalog.documents(ACTIVE)]
        index = _fresh_vectors(self.catalog, active, dimension)
        ids, texts = self.catalog.lexical_texts(active)
        row = self.catalog.library()
        if row is None or row.index_version != version:
            raise IndexFileError(f"index version {version} was replaced while it was being built")
        manifest = {"version": version, "chunks": index.count, "built_from_catalog": True}
        save_version(
            self.index_root,
            IndexVersion(version, index, LexicalIndex.build(ids, texts), manifest),
            replace=False,
        )

    def search(
        self,
        query: str,
        filters: Filters | None = None,
        *,
        limit: int | None = None,
        per_document: int | None = None,
        mode: str = "hybrid",
        candidates: int = CANDIDATES,
        sentences: bool = False,
    ) -> list[Passage]:
        """Hybrid retrieval for a question: its embedding, then as `search_by_vector`."""
        version = self._searchable(mode)
        if version is None:
            return []  # nothing to search: the model is not even run
        vector = self.require_embedder().embed([query])[0]
        return self._search(
            version, query, vector, filters, limit, per_document, mode, candidates, sentences
        )

    def search_by_vector(
        self,
        query: str,
        vector: np.ndarray,
        filters: Filters | None = None,
        *,
        limit: int | None = None,
        per_document: int | None = None,
        mode: str = "hybrid",
        candidates: int = CANDIDATES,
        sentences: bool = False,
    ) -> list[Passage]:
        """Dense and BM25 candidates fused, a few passages per document at most, best first.

        `vector` is the query's embedding (the caller has it already: a question is embedded
        once); with `sentences`, each passage carries its stored sentence vectors for quotes.
        """
        version = self._searchable(mode)
        if version is None:
            return []
        return self._search(
            version, query, vector, filters, limit, per_document, mode, candidates, sentences
        )

    def _search(
        self,
        version: IndexVersion,
        query: str,
        vector: np.ndarray,
        filters: Filters | None,
        limit: int | None,
        per_document: int | None,
        mode: str,
        candidates: int,
        sentences: bool,
    ) -> list[Passage]:
        """The search itself, in `version`: candidates, the best few per document, passages."""
        allowed = self._allowed(filters or Filters())
        if allowed is not None and not len(allowed):
            return []
        found = find_candidates(
            version, query, vector, allowed, mode, candidates, self.settings.dense_weight
        )
        limit = limit or self.settings.passages
        chosen = self._top(found.fused, limit, per_document or self.settings.per_document)
        return self._passages(version, vector, found, chosen, sentences)

    def _searchable(self, mode: str) -> IndexVersion | None:
        """The current index version, ready to search in `mode` with this library's model; None
        when the library is empty. Checked once per search."""
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}; choose one of {', '.join(MODES)}")
        self.catalog.require_schema()
        version = self.current()
        if version is None:
            return None
        version = self._current_analyzer(version)
        self.check_model()
        self.require_embedder()
        return version

    def _allowed(self, filters: Filters) -> np.ndarray | None:
        """The chunk ids the filters let through; None when nothing is filtered."""
        if filters == Filters():
            return None
        return self.catalog.chunk_ids(self.catalog.filtered_document_ids(filters))

    def _top(
        self, fused: list[tuple[int, float]], limit: int, per_document: int
    ) -> list[tuple[Hit, Any, Any]]:
        """The best `limit` hits with their chunk and document rows, `per_document` at most each.

        Rows are read from the catalog a page of hits at a time (usually one page), and a passage
        that is only a heading is passed over.
        """
        rows: dict[int, tuple[Any, Any]] = {}
        scans: dict[int, set[int]] = {}  # document -> its pages read from a scan
        shown: set[int] = set()

        def ranked() -> Iterator[Hit]:
            page = max(4 * limit, 32)
            for start in range(0, len(fused), page):
                batch = fused[start : start + page]
                found = self.catalog.chunks([i for i, _ in batch])
                rows.update((chunk.id, (chunk, doc)) for chunk, doc in found)
                scans.update(self.catalog.recognised_pages({doc.id for _, doc in found}))
                for i, score in batch:
                    if i not in rows or i in shown or _heading_only(rows[i][0]):
                        continue
                    chunk, doc = rows[i]
                    if {s.page for s in spans_of(chunk)} & scans.get(doc.id, set()):
                        # read from a scan: the digital original, where the library holds both
                        i = self._digital_twin(chunk, rows, scans, shown) or i
                    shown.add(i)
                    yield Hit(i, score)

        chosen = cap_per_group(ranked(), lambda hit: rows[hit.chunk_id][1].id, per_document, limit)
        return [(hit, *rows[hit.chunk_id]) for hit in chosen]

    @staticmethod
    def _digital_twin(
        chunk: Any,
        rows: Mapping[int, tuple[Any, Any]],
        scans: Mapping[int, set[int]],
        shown: set[int],
    ) -> int | None:
        """Among the candidates read so far, a passage of a digital document that is the same
        as `chunk` (read from a scan): it takes the scan's place in the ranking."""
        others = (
            (i, other.text)
            for i, (other, doc) in rows.items()
            if doc.id not in scans and i not in shown and not _heading_only(other)
        )
        return twin_of(chunk.text, others)

    def _passages(
        self,
        version: IndexVersion,
        vector: np.ndarray,
        found: Candidates,
        chosen: list[tuple[Hit, Any, Any]],
        sentences: bool,
    ) -> list[Passage]:
        """The chosen hits as passages: text, citation, page texts, both scores."""
        unseen = [hit.chunk_id for hit, _, _ in chosen if hit.chunk_id not in found.dense]
        cosine = found.dense | version.vectors.cosines(vector, unseen)
        wanted: dict[int, set[int]] = {}
        for _, chunk, doc in chosen:
            wanted.setdefault(doc.id, set()).update(s.page for s in spans_of(chunk))
        page_texts, scanned = self.catalog.pages_and_scans(wanted)
        ids = [hit.chunk_id for hit, _, _ in chosen]
        stored = self.catalog.sentence_vectors(ids) if sentences else {}
        passages = []
        for hit, chunk, doc in chosen:
            spans = spans_of(chunk)
            texts = page_texts[doc.id]
            passages.append(
                Passage(
                    chunk_id=chunk.id,
                    document_id=doc.id,
                    source=doc.source,
                    meta=meta_of(doc),
                    paginated=doc.paginated,
                    text=chunk.text,
                    spans=spans,
                    heading_path=tuple(chunk.heading_path),
                    page_texts={s.page: texts[s.page] for s in spans if s.page in texts},
                    scanned=scanned[doc.id],
                    score=hit.fused,
                    dense_score=cosine[hit.chunk_id],
                    lexical_score=found.lexical.get(hit.chunk_id, 0.0),
                    sentence_vectors=unpack(stored.get(chunk.id)),
                )
            )
        return passages

    def term_weights(self, query: str) -> TermWeights:
        """The query's terms weighted by how rare they are in this library (unknown: rarest)."""
        version = self.current()
        if version is None:
            return TermWeights({})
        return self._current_analyzer(version).lexical.rarity(query)

    def _current_analyzer(self, version: IndexVersion) -> IndexVersion:
        """A version whose BM25 terms were made by an older analyzer, rebuilt here in memory.

        Queries are analysed by today's code, so an index from an older release would miss terms.
        Rebuilding from the catalog takes seconds; `evidence reindex` (or the next ingestion) writes
        the rebuilt files so that other processes need not.
        """
        if version.lexical.analyzer == ANALYZER:
            return version
        active = [d.id for d in self.catalog.documents(ACTIVE)]
        ids, texts = self.catalog.lexical_texts(active)
        rebuilt = replace(version, lexical=LexicalIndex.build(ids, texts))
        if self._version is version:
            self._version = rebuilt
        return rebuilt

    # -- writing --------------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the library's write lock; a second writer is refused rather than interleaved.

        A lock file guards this host's index folder; with PostgreSQL an advisory lock also guards
        the shared catalog against writers on other hosts.
        """
        self.settings.home.mkdir(parents=True, exist_ok=True)
        self.catalog.migrate()
        busy = (
            f"another process is writing to the library in {self.settings.home} "
            f"({self.catalog.safe_url}); wait for it to finish"
        )
        with (
            open(self.settings.home / ".write.lock", "w") as lock,
            self.catalog.writer_lock() as held,
        ):
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as error:
                raise LibraryBusy(busy) from error
            if not held:
                raise LibraryBusy(busy)
            if self.embedder is not None:
                self.check_model(create=True)  # a writer never mixes models
            try:
                yield
            except Exception as error:
                if not out_of_space(error):
                    raise
                try:
                    row = self.catalog.library()
                except Exception:  # the catalog's own disk may be the full one
                    row = None
                raise LibraryFull(
                    f"no space left to write the library in {self.settings.home} "
                    f"({self.catalog.safe_url}): {_first_line(error)}. Free some space there and "
                    f"run it again; the library is as it was (index version "
                    f"{row.index_version if row else 0})"
                ) from error

    def begin_run(self, paths: Sequence[str]) -> int:
        """Record an ingestion run over `paths`; its id tags what it stages."""
        return self.catalog.begin_run(paths)

    def finish_run(self, run_id: int, status: str, **counts: Any) -> None:
        self.catalog.finish_run(run_id, status, **counts)

    def relabel(self, changes: Mapping[int, DocumentMeta]) -> None:
        """Correct published documents' details in place (a manifest changed, not the file)."""
        self.catalog.relabel(changes)

    def discard(self, document_ids: Sequence[int]) -> None:
        """Delete staged documents that will never be published."""
        self.catalog.discard(document_ids)

    def remove(self, document_ids: Sequence[int]) -> int:
        """Take published documents out of the library; returns the new index version."""
        with self.writing():
            return self.publish([], document_ids)

    def stage(
        self,
        document: Document,
        embeddings: np.ndarray,
        run_id: int,
        size: int,
        sentence_vectors: Sequence[bytes | None] = (),
    ) -> int:
        """Store a document invisibly; it appears in answers only after `publish`."""
        return self.catalog.stage(document, embeddings, run_id, size, sentence_vectors)

    def add_sentence_vectors(self, batch: int = 256) -> int:
        """Pool and store sentence vectors for passages ingested before they were kept.

        Runs the model over those passages once; returns how many passages it did.
        """
        embedder = self.require_embedder()
        after = done = 0
        while rows := self.catalog.chunks_without_sentence_vectors(after, batch):
            wanted: dict[int, set[int]] = {}
            for _, doc, _, spans in rows:
                wanted.setdefault(doc, set()).update(s.page for s in spans)
            pages = self.catalog.pages_of(wanted)
            _, packed = embed_chunks(
                embedder, [(text, spans, pages[d]) for _, d, text, spans in rows]
            )
            self.catalog.store_sentence_vectors(
                {row[0]: blob or b"" for row, blob in zip(rows, packed, strict=True)}
            )
            after, done = rows[-1][0], done + len(rows)
        return done

    def publish(self, activate: Sequence[int], remove: Sequence[int]) -> int:
        """Write a new index version with `activate` in and `remove` out, then switch to it."""
        embedder = self.require_embedder()
        row = self.catalog.library()
        if row is None:
            raise RuntimeError("publish before check_model(create=True) recorded the library")
        old = row.index_version
        new = old + 1
        active = [d.id for d in self.catalog.documents(ACTIVE)]
        keep = sorted((set(active) - set(remove)) | set(activate))
        vectors = self._vectors(old, active, keep, activate, remove, embedder.dimension)
        ids, texts = self.catalog.lexical_texts(keep)
        manifest = {
            "version": new,
            "model": embedder.name,
            "dimension": embedder.dimension,
            "documents": len(keep),
            "chunks": vectors.count,
            "created_at": datetime.now(UTC).isoformat(),
        }
        lexical = LexicalIndex.build(ids, texts)
        save_version(self.index_root, IndexVersion(new, vectors, lexical, manifest))
        self.catalog.publish(new, activate, remove)
        prune(self.index_root, keep={old, new})
        return new

    def _vectors(
        self,
        old: int,
        active: list[int],
        keep: list[int],
        activate: Sequence[int],
        remove: Sequence[int],
        dim: int,
    ) -> VectorIndex:
        """The new vector index: the old one edited if it matches the catalog, else rebuilt.

        Rebuilt too when the library's new size calls for another kind of index (`vectors.plan`).
        """
        expected_old = len(self.catalog.chunk_ids(active))
        if old:
            try:
                index = load_version(self.index_root, old).vectors
            except RuntimeError:
                index = None
            if index is not None and index.count == expected_old:
                gone = self.catalog.chunk_ids(list(remove))
                new_ids, matrix = self.catalog.embeddings(list(activate), dim)
                if index.still_fits(expected_old - len(gone) + len(new_ids)):
                    index.remove(gone)
                    index.add(new_ids, matrix)
                    return index
        return _fresh_vectors(self.catalog, keep, dim)


def _fresh_vectors(catalog: Catalog, document_ids: Sequence[int], dimension: int) -> VectorIndex:
    """A vector index of the given documents' stored chunk embeddings, keyed by chunk id."""
    ids, matrix = catalog.embeddings(list(document_ids), dimension)
    return VectorIndex.build(ids, matrix, dimension)


def _heading_only(chunk: Any) -> bool:
    """A passage that is nothing but a heading (a heading with no text under it) quotes nothing:
    it would match a question on its words alone and push real passages out of the answer."""
    text = " ".join(chunk.text.split())
    path = [" ".join(h.split()) for h in chunk.heading_path]
    return bool(text) and any(text == " ".join(path[i:]) for i in range(len(path)))
