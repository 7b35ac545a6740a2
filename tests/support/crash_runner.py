"""Runs an ingest in this process and kills it with SIGKILL at a chosen point (for crash tests).

Usage: python -m tests.support.crash_runner HOME DATABASE_URL|- CRASH_POINT FOLDER
CRASH_POINT is one of: none, after-stage-N, after-index-files, after-catalog-publish, or
started (prints "started" just before the run, for the caller to kill it at a moment it picks).
Scanned pages are read when EVIDENCE_OCR says so (as `evidence ingest` does).
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from index import library as library_module
from index.library import Library
from index.settings import Settings
from ingest.job import ingest
from ingest.settings import IngestSettings
from tests.support.doubles import HashEmbedder


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main(home: str, database_url: str, point: str, folder: str) -> None:
    settings = Settings(home=Path(home), database_url=None if database_url == "-" else database_url)
    library = Library(settings, HashEmbedder())
    if point.startswith("after-stage-"):
        limit = int(point.rsplit("-", 1)[1])
        original_stage = library.stage
        staged = []

        def stage(*args, **kwargs):  # type: ignore[no-untyped-def]
            staged.append(original_stage(*args, **kwargs))
            if len(staged) >= limit:
                die()
            return staged[-1]

        library.stage = stage  # type: ignore[method-assign]
    elif point == "after-index-files":
        original_save = library_module.save_version

        def save(*args, **kwargs):  # type: ignore[no-untyped-def]
            original_save(*args, **kwargs)
            die()

        library_module.save_version = save  # type: ignore[assignment]
    elif point == "after-catalog-publish":
        library_module.prune = lambda *args, **kwargs: die()  # type: ignore[assignment]
    elif point == "started":
        print("started", flush=True)
    ocr = IngestSettings(ocr=os.environ.get("EVIDENCE_OCR", "off"))  # type: ignore[arg-type]
    report = ingest(library, [Path(folder)], settings=ocr)
    print(f"added={report.count('added')} embedded={report.embedded_chunks}")


if __name__ == "__main__":
    main(*sys.argv[1:5])
