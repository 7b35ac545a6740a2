"""kill -9 at any point of an ingest leaves the previous library usable; the next run finishes."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.library import Library
from index.settings import Settings
from ingest.job import ingest
from tests.support.doubles import HashEmbedder

ROOT = Path(__file__).resolve().parents[1]
TOPICS = ["supervision", "caseloads", "referrals", "kinship", "adoption", "education"]


def write_folder(folder: Path, names: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        body = "\n\n".join(
            f"Paragraph {i} about {name}: social workers discuss {name} with families and "
            f"managers review {name} decisions every week."
            for i in range(12)
        )
        (folder / f"{name}.txt").write_text(f"{name.upper()} STUDY\n\n{body}\n", encoding="utf-8")


def run_killed(settings: Settings, point: str, folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable, "-m", "tests.support.crash_runner", str(settings.home),
            settings.database_url or "-", point, str(folder),
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def assert_consistent(library: Library, *, staged_left: bool = False) -> None:
    """One active document per file, and the index holds exactly the catalog's chunks; nothing
    staged left over unless `staged_left` (a killed run's work, invisible, for the next run)."""
    docs = library.catalog.documents()
    assert len({d.source for d in docs}) == len(docs)
    version = library.current()
    ids, _ = library.catalog.embeddings([d.id for d in docs], 64)
    assert version is not None
    assert version.vectors.count == len(ids)
    assert sorted(version.lexical.ids.tolist()) == sorted(ids.tolist())
    if not staged_left:
        assert library.catalog.counts()["staged"] == 0


@pytest.mark.parametrize("point", ["after-stage-2", "after-index-files", "after-catalog-publish"])
def test_killed_ingest_keeps_library_usable_and_next_run_completes(
    settings: Settings, tmp_path: Path, point: str
) -> None:
    folder = tmp_path / "evidence"
    write_folder(folder, TOPICS[:2])
    first = ingest(Library(settings, HashEmbedder()), [folder])
    assert first.count("added") == 2

    write_folder(folder, TOPICS[2:])
    killed = run_killed(settings, point, folder)
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    reader = Library(settings, HashEmbedder())
    titles = {p.meta.title for p in reader.search("supervision decisions", limit=10)}
    assert "SUPERVISION STUDY" in titles  # the previous library still answers
    published = {d.source for d in reader.catalog.documents()}
    if point == "after-catalog-publish":
        assert len(published) == 6
    else:
        assert len(published) == 2

    embedder = HashEmbedder()
    library = Library(settings, embedder)
    report = ingest(library, [folder])
    assert report.count("failed") == 0
    assert len(library.catalog.documents()) == 6
    assert_consistent(library)
    if point == "after-stage-2":
        # Two documents were embedded before the kill: they are picked up, not embedded again.
        resumed = [o for o in report.outcomes if "resumed from an interrupted run" in o.notes]
        assert len(resumed) == 2
        assert all(o.chunks > 0 and not o.embedded for o in resumed)
        fresh = sum(o.chunks for o in report.outcomes if o.status == "added" and o not in resumed)
        assert report.embedded_chunks == fresh
        assert embedder.embedded == fresh + 1  # plus the model fingerprint check
    hits = library.search("kinship families", limit=10)
    assert any(p.meta.title == "KINSHIP STUDY" for p in hits)


TRIALS = 10


def runner(settings: Settings, folder: Path) -> subprocess.Popen[str]:
    """An ingest in its own process, once it has printed "started" (its imports done)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.crash_runner", str(settings.home),
         settings.database_url or "-", "started", str(folder)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None and process.stdout.readline().strip() == "started"
    return process


def test_kill_9_at_random_moments_loses_nothing_and_duplicates_nothing(
    settings: Settings, tmp_path: Path
) -> None:
    """Ten runs, each killed at a random moment (seeded) between its start and a little past
    the time an uninterrupted run takes on this machine; after each the library answers and is
    consistent, and a last run leaves every file there once."""
    rng = random.Random(15)
    folder = tmp_path / "evidence"
    write_folder(folder, TOPICS[:2])
    first = runner(settings, folder)  # uninterrupted: how long a run takes here
    started = time.monotonic()
    first.communicate(timeout=120)
    assert first.returncode == 0
    length = time.monotonic() - started
    names = list(TOPICS[:2])
    moments, codes = [], []
    for trial in range(TRIALS):
        new = [f"{TOPICS[2 + trial % 4]}{trial}", f"extra{trial}"]
        write_folder(folder, new)
        names += new
        moments.append(round(rng.uniform(0.0, 1.2 * length), 2))
        process = runner(settings, folder)
        time.sleep(moments[-1])
        process.kill()
        process.communicate(timeout=60)
        codes.append(process.returncode)  # -9 when killed mid-run, 0 when it had finished
        library = Library(settings, HashEmbedder())
        assert library.search("supervision decisions", limit=5)  # the library still answers
        assert_consistent(library, staged_left=True)
        library.close()
    assert -signal.SIGKILL in codes, (moments, codes)  # some were cut short
    library = Library(settings, HashEmbedder())
    report = ingest(library, [folder])
    assert report.count("failed") == 0
    assert sorted(Path(d.source).stem for d in library.catalog.documents()) == sorted(names)
    assert_consistent(library)
    library.close()
