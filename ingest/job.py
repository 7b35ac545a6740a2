"""The ingestion job: files in, documents staged one by one, one atomic publish at the end."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from index import Document, DocumentMeta, Library, Span, StoredDocument, embed_chunks
from ingest.chunking import chunk_blocks
from ingest.discovery import discover, manifest_overrides
from ingest.isolation import Reader
from ingest.loaded import RejectedFile
from ingest.loading import read_bytes
from ingest.metadata import apply_overrides, infer_metadata
from ingest.ocr import clear_cache
from ingest.settings import IngestSettings

log = logging.getLogger(__name__)
ADDED, UPDATED, UNCHANGED, REMOVED, FAILED = "added", "updated", "unchanged", "removed", "failed"
# Chunks of several documents are embedded together, sorted by length: short documents no longer
# cost a half-empty batch each, and padding stays small. Bounded, so memory stays flat.
PENDING_CHUNKS = 512


@dataclass(frozen=True)
class Outcome:
    """What happened to one file."""

    source: str
    status: str
    reason: str = ""
    advice: str = ""
    document_id: int | None = None
    chunks: int = 0
    notes: tuple[str, ...] = ()
    embedded: bool = False  # its chunks were embedded by this run (not resumed or unchanged)


@dataclass(frozen=True)
class RunReport:
    run_id: int
    outcomes: tuple[Outcome, ...]
    index_version: int | None
    seconds: float
    embedded_chunks: int = 0

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> bool:
        return self.count(FAILED) > 0


@dataclass
class Progress:
    """Callbacks the job reports through; the CLI draws bars with them, tests ignore them."""

    start_files: Callable[[int], None] = lambda total: None
    file_done: Callable[[str], None] = lambda name: None
    chunks_embedded: Callable[[int], None] = lambda count: None


@dataclass
class _Plan:
    activate: list[int] = field(default_factory=list)
    remove: list[int] = field(default_factory=list)
    relabel: dict[int, DocumentMeta] = field(default_factory=dict)  # unchanged files, new details


@dataclass(frozen=True)
class _Parsed:
    """A document read and chunked, waiting to be embedded with others, then staged."""

    position: int  # in the run's outcomes
    document: Document
    size: int
    status: str
    previous: StoredDocument | None


def ingest(
    library: Library,
    paths: Sequence[Path],
    *,
    overrides: Mapping[str, object] | None = None,
    sync: bool = False,
    progress: Progress | None = None,
    settings: IngestSettings | None = None,
) -> RunReport:
    """Load, chunk, embed and publish the files under `paths`; bad files are reported, not fatal.

    `settings` limits file size and shapes the chunks (the defaults when not given).
    """
    started = time.perf_counter()
    settings = settings or IngestSettings()
    progress = progress or Progress()
    sidecars = manifest_overrides(paths)
    found = discover(paths, named=set(sidecars))
    files = found.files
    reader = Reader(settings.file_memory_bytes, settings.file_seconds, settings.ocr)
    with library.writing(), reader:
        run_id = library.begin_run([str(p) for p in paths])
        active = {d.source: d for d in library.documents()}
        staged = {(d.source, d.content_hash): d for d in library.staged()}
        plan = _Plan()
        outcomes: list[Outcome | None] = [
            Outcome(str(path), FAILED, reason, advice) for path, reason, advice in found.refused
        ]
        waiting: list[_Parsed] = []
        progress.start_files(len(files))
        for path in files:
            result = _read_file(
                library,
                reader,
                settings,
                path,
                active,
                staged,
                plan,
                {**sidecars.get(path, {}), **(overrides or {})},
            )
            if isinstance(result, Outcome):
                outcomes.append(result)
            else:
                waiting.append(_Parsed(len(outcomes), *result))
                outcomes.append(None)
                if sum(len(p.document.chunks) for p in waiting) >= PENDING_CHUNKS:
                    _embed_and_stage(library, waiting, run_id, plan, outcomes, progress)
                    waiting = []
            progress.file_done(path.name)
        _embed_and_stage(library, waiting, run_id, plan, outcomes, progress)
        done = [o for o in outcomes if o is not None]
        embedded = sum(o.chunks for o in done if o.embedded)
        if sync:
            # A file refused this time (unreadable now, say) has not gone: it stays until fixed.
            seen = [*files, *(path.absolute() for path, _, _ in found.refused)]
            done += _vanished(paths, seen, active, plan)
        # Staged documents of killed runs that this run did not pick up are stale: drop them.
        used = set(plan.activate)
        plan.remove += [d.id for d in staged.values() if d.id not in used]
        version = None
        if plan.relabel:  # before publishing: the new index reads titles from the catalog
            library.relabel(plan.relabel)
        if plan.activate or plan.relabel or any(o.status == REMOVED for o in done):
            version = library.publish(plan.activate, plan.remove)
        elif plan.remove:
            library.discard(plan.remove)
        report = RunReport(run_id, tuple(done), version, time.perf_counter() - started, embedded)
        library.finish_run(
            run_id,
            "completed",
            added=report.count(ADDED),
            updated=report.count(UPDATED),
            unchanged=report.count(UNCHANGED),
            removed=report.count(REMOVED),
            failed=report.count(FAILED),
            failures=[
                {"source": o.source, "reason": o.reason, "advice": o.advice}
                for o in done
                if o.status == FAILED
            ],
            seconds=report.seconds,
        )
        clear_cache(_kept_pages(library))  # in the library now, or refused: not needed again
    return report


def _unchanged(previous: StoredDocument, overrides: Mapping[str, object], plan: _Plan) -> Outcome:
    """A file whose content is unchanged; a manifest or flag that now says otherwise about its
    title, year or type updates those details in place, without parsing or embedding it again."""
    stored = previous.meta
    try:
        wanted = apply_overrides(stored, overrides) if overrides else stored
    except ValueError as error:
        return Outcome(
            previous.source, FAILED, f"bad metadata: {error}", "fix the manifest row or flag"
        )
    if wanted == stored:
        return Outcome(previous.source, UNCHANGED, document_id=previous.id)
    plan.relabel[previous.id] = wanted
    return Outcome(
        previous.source,
        UPDATED,
        document_id=previous.id,
        notes=("details updated from the manifest or flags; content unchanged, not re-embedded",),
    )


def _read_file(
    library: Library,
    reader: Reader,
    settings: IngestSettings,
    path: Path,
    active: Mapping[str, StoredDocument],
    staged: Mapping[tuple[str, str], StoredDocument],
    plan: _Plan,
    overrides: Mapping[str, object],
) -> Outcome | tuple[Document, int, str, StoredDocument | None]:
    """A file's outcome when it needs no embedding; else its parsed document, to embed."""
    source = str(path)
    try:
        data = read_bytes(path, settings.max_bytes)
    except RejectedFile as error:
        return Outcome(source, FAILED, error.reason, error.advice)
    content_hash = hashlib.sha256(data).hexdigest()
    previous = active.get(source)
    status = UPDATED if previous is not None else ADDED
    if previous is not None and previous.content_hash == content_hash:
        return _unchanged(previous, overrides, plan)
    resumed = staged.get((source, content_hash))
    if resumed is not None:  # embedded by a run that was killed before it published
        plan.activate.append(resumed.id)
        if previous is not None:
            plan.remove.append(previous.id)
        return Outcome(
            source,
            status,
            document_id=resumed.id,
            chunks=resumed.chunk_count,
            notes=("resumed from an interrupted run",),
        )
    try:
        document = _parse(library, reader, settings, path, content_hash, overrides)
    except RejectedFile as error:
        return Outcome(source, FAILED, error.reason, error.advice)
    except ValueError as error:  # a bad metadata override
        return Outcome(source, FAILED, f"bad metadata: {error}", "fix the manifest row or flag")
    except Exception as error:  # a bug met on one file must not stop the other files
        log.exception("unexpected error reading %s", path)
        return Outcome(
            source,
            FAILED,
            f"unexpected error while reading it ({type(error).__name__}: {error})",
            "the rest of the run went on; please report this file to the maintainers",
        )
    return document, len(data), status, previous


def _parse(
    library: Library,
    reader: Reader,
    settings: IngestSettings,
    path: Path,
    content_hash: str,
    overrides: Mapping[str, object],
) -> Document:
    embedder = library.require_embedder()
    ocr = replace(settings.ocr_settings, cache=str(_kept_pages(library)))
    loaded = reader.load(path, settings.max_bytes, ocr)
    meta = apply_overrides(infer_metadata(loaded, path.name), overrides)
    chunks = chunk_blocks(
        loaded.pages,
        loaded.blocks,
        embedder.count_tokens,
        target_tokens=settings.chunk_tokens,
        max_tokens=embedder.max_tokens,
        overlap_tokens=settings.chunk_overlap,
    )
    if not chunks:
        raise RejectedFile(
            "no readable text",
            "check the file opens and contains text; if it is scanned, run OCR first",
        )
    too_long = [c.ordinal for c in chunks if c.token_count > embedder.max_tokens]
    if too_long:  # the model would silently cut these off: refuse rather than index half a passage
        raise RejectedFile(
            f"chunks {too_long[:5]} exceed the model's {embedder.max_tokens} tokens",
            "report this as a bug",
        )
    return Document(
        source=str(path),
        content_hash=content_hash,
        format=loaded.format,
        paginated=loaded.paginated,
        pages=loaded.pages,
        chunks=chunks,
        meta=meta,
        notes=loaded.notes,
        scanned=loaded.recognised,
    )


def _kept_pages(library: Library) -> Path:
    """Where pages recognised from a scan wait until the run ends, so that a killed run resumes
    without recognising them again (`ingest.ocr.PageCache`)."""
    return library.settings.home / "ocr-pages"


def _embed_and_stage(
    library: Library,
    waiting: Sequence[_Parsed],
    run_id: int,
    plan: _Plan,
    outcomes: list[Outcome | None],
    progress: Progress,
) -> None:
    """Embed the chunks of several documents in one call, then stage each document."""
    embedder = library.require_embedder()
    chunks: list[tuple[str, tuple[Span, ...], dict[int, str]]] = []
    for parsed in waiting:
        pages = dict(enumerate(parsed.document.pages, start=1))
        chunks.extend((c.text, c.spans, pages) for c in parsed.document.chunks)
    if not chunks:
        return
    vectors, packed = embed_chunks(embedder, chunks)
    progress.chunks_embedded(len(chunks))
    start = 0
    for parsed in waiting:
        document = parsed.document
        end = start + len(document.chunks)
        embeddings, sentences = vectors[start:end], packed[start:end]
        start = end
        document_id = library.stage(document, embeddings, run_id, parsed.size, sentences)
        plan.activate.append(document_id)
        if parsed.previous is not None:
            plan.remove.append(parsed.previous.id)
        outcomes[parsed.position] = Outcome(
            document.source,
            parsed.status,
            document_id=document_id,
            chunks=len(document.chunks),
            notes=document.notes,
            embedded=True,
        )


def _vanished(
    paths: Sequence[Path], files: Sequence[Path], active: Mapping[str, StoredDocument], plan: _Plan
) -> list[Outcome]:
    """Active documents under the given folders whose files have gone (for --sync)."""
    folders = [p.resolve() for p in paths if p.is_dir()]
    present = {str(f) for f in files}
    outcomes = []
    for source, doc in active.items():
        inside = any(Path(source).is_relative_to(folder) for folder in folders)
        if inside and source not in present and not Path(source).exists():
            plan.remove.append(doc.id)
            outcomes.append(Outcome(source, REMOVED, "file no longer exists", document_id=doc.id))
    return outcomes
