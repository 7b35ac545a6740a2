"""`evidence ingest`: progress bars while it runs, a summary table and reasons at the end."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from evidence.settings import ProcessSettings
from evidence.terminal import one_line

OVERRIDE_FLAGS = (
    "title", "authors", "publisher", "year", "date", "source_url", "licence", "doc_type",
    "topics", "sample",
)  # fmt: skip


def ingest_command(process: ProcessSettings, args: argparse.Namespace) -> int:
    from index import Library, LibraryBusy, LibraryFull, ModelError, load_embedder
    from ingest.discovery import ManifestError
    from ingest.job import FAILED, ingest

    overrides = {k: getattr(args, k) for k in OVERRIDE_FLAGS if getattr(args, k) is not None}
    settings = process.library
    library = Library(settings, load_embedder(settings))
    bars = _Bars(enabled=not args.no_progress)
    try:
        report = ingest(
            library,
            [Path(p) for p in args.paths],
            overrides=overrides,
            sync=args.sync,
            progress=bars.progress(),
            settings=process.ingest,
        )
    except (FileNotFoundError, LibraryBusy, LibraryFull, ManifestError, ModelError) as error:
        bars.close()
        print(f"evidence ingest: {error}", file=sys.stderr)
        return 2
    finally:
        library.close()
    bars.close()
    print(summary(report))
    return 1 if report.count(FAILED) else 0


def summary(report: Any) -> str:
    """The end-of-run table: one row per file that changed or failed, then the counts."""
    from ingest.job import ADDED, FAILED, REMOVED, UNCHANGED, UPDATED

    lines = []
    for outcome in report.outcomes:
        if outcome.status == UNCHANGED:
            continue
        detail = f"{outcome.chunks} chunks" if outcome.chunks else ""
        if outcome.status == FAILED:
            detail = f"{outcome.reason}: {outcome.advice}"
        elif outcome.status == REMOVED:
            detail = outcome.reason
        notes = "; ".join(outcome.notes)
        lines.append(
            f"  {outcome.status:<9} {one_line(Path(outcome.source).name)}  {one_line(detail)}"
            + (f" ({notes})" if notes else "")
        )
    counts = {s: report.count(s) for s in (ADDED, UPDATED, UNCHANGED, REMOVED, FAILED)}
    header = f"{'added':>7} {'updated':>7} {'unchanged':>9} {'removed':>7} {'failed':>6}"
    row = (
        f"{counts[ADDED]:>7} {counts[UPDATED]:>7} {counts[UNCHANGED]:>9} "
        f"{counts[REMOVED]:>7} {counts[FAILED]:>6}"
    )
    tail = [header, row]
    if report.index_version is None:
        tail.append("Nothing changed: no embedding done, the index is as it was.")
    else:
        tail.append(
            f"Embedded {report.embedded_chunks} chunks; published index version "
            f"{report.index_version} in {report.seconds:.1f} s."
        )
    return "\n".join(lines + [""] + tail if lines else tail)


def _shown(source: str) -> str:
    """A file as the user named it: relative to the working folder when it lies below it."""
    path = Path(source)
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class _Bars:
    """tqdm bars for files and embedded chunks, drawn on stderr only when it is a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.files: Any = None
        self.chunks: Any = None

    def progress(self) -> Any:
        from ingest.job import Progress

        if not self.enabled:
            return Progress()
        from tqdm import tqdm

        def start(total: int) -> None:
            self.files = tqdm(total=total, unit="file", desc="files", position=0)
            self.chunks = tqdm(unit="chunk", desc="embedded", position=1)

        return Progress(
            start_files=start,
            file_done=lambda name: self.files.update(1),
            chunks_embedded=lambda n: self.chunks.update(n),
        )

    def close(self) -> None:
        for bar in (self.chunks, self.files):
            if bar is not None:
                bar.close()
        self.files = self.chunks = None
