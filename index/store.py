"""The one module that saves and loads index files; every error names the file.

Each published index version lives in its own folder, `index/v000007/`. A version is written to a
hidden temporary folder, flushed to disk and renamed into place, so a reader never sees half a
version; the catalog says which version is current, so a version folder that was written but never
published (a killed run) is simply ignored and later replaced.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from index.lexical import LexicalIndex
from index.vectors import VectorIndex

VECTORS = "vectors.faiss"
LEXICAL = "lexical.npz"
VOCABULARY = "vocabulary.json"
MANIFEST = "manifest.json"


class IndexFileError(RuntimeError):
    """An index file is missing or unreadable."""


@dataclass(frozen=True)
class IndexVersion:
    version: int
    vectors: VectorIndex  # over catalog chunk ids
    lexical: LexicalIndex
    manifest: dict[str, Any]


def version_dir(root: Path, version: int) -> Path:
    return root / f"v{version:06d}"


def save_version(root: Path, version: IndexVersion, *, replace: bool = True) -> Path:
    """Write a version atomically: temp folder, fsync, rename.

    The manifest records which kind of vector index was chosen (`VectorIndex.describe`). With
    `replace=False` (a reader building a published version another host wrote) a folder that
    another process renamed into place first is kept and this copy is dropped, so a process
    reading that folder never sees it swapped underneath it.
    """
    final = version_dir(root, version.version)
    temp = root / f".{final.name}.partial-{os.getpid()}"
    root.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(temp, ignore_errors=True)
    temp.mkdir()
    try:
        version.vectors.write(temp / VECTORS)
        lex = version.lexical
        np.savez(
            temp / LEXICAL,
            ids=lex.ids,
            data=lex.weights.data,
            indices=lex.weights.indices,
            indptr=lex.weights.indptr,
            shape=np.asarray(lex.weights.shape, dtype=np.int64),
            analyzer=np.asarray(lex.analyzer),
        )
        (temp / VOCABULARY).write_text(json.dumps(lex.vocabulary), encoding="utf-8")
        manifest = {**version.manifest, "vectors": version.vectors.describe()}
        (temp / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        for path in temp.iterdir():
            _fsync(path)
        if final.exists() and not replace:
            shutil.rmtree(temp, ignore_errors=True)
            return final
        if final.exists():  # written by a run that died before publishing; never read
            shutil.rmtree(final)
        try:
            temp.rename(final)
        except OSError:
            if replace or not final.exists():
                raise
            shutil.rmtree(temp, ignore_errors=True)  # another reader published it meanwhile
            return final
        _fsync(root)
    except (OSError, RuntimeError) as error:  # FAISS reports a failed write as a RuntimeError
        shutil.rmtree(temp, ignore_errors=True)  # a full disk gets its space back
        raise IndexFileError(f"could not write index version {final}: {error}") from error
    return final


def load_version(root: Path, version: int) -> IndexVersion:
    """Read a published version back."""
    folder = version_dir(root, version)
    path = folder / VECTORS
    try:
        vectors = VectorIndex.read(path)
        path = folder / LEXICAL
        with np.load(path) as arrays:
            shape = tuple(int(x) for x in arrays["shape"])
            weights = sparse.csc_matrix(
                (arrays["data"], arrays["indices"], arrays["indptr"]), shape=shape
            )
            ids = arrays["ids"].astype(np.int64)
            # Files written before the analyzer was recorded used the light suffix stemmer.
            analyzer = str(arrays["analyzer"]) if "analyzer" in arrays.files else "light-1"
        path = folder / VOCABULARY
        vocabulary = json.loads(path.read_text(encoding="utf-8"))
        path = folder / MANIFEST
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, RuntimeError, ValueError, KeyError) as error:
        raise IndexFileError(
            f"cannot read index file {path}: {error}. Rebuild it with `evidence reindex`."
        ) from error
    lexical = LexicalIndex(ids, vocabulary, weights, analyzer)
    return IndexVersion(version, vectors, lexical, manifest)


def read_manifest(root: Path, version: int) -> dict[str, Any] | None:
    """A version's manifest (what it holds, which vector index), or None if it is not here."""
    path = version_dir(root, version) / MANIFEST
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise IndexFileError(f"cannot read index file {path}: {error}") from error


def prune(root: Path, keep: set[int]) -> None:
    """Remove versions not in keep, and temporary folders left by killed runs."""
    if not root.exists():
        return
    for path in root.iterdir():
        partial = path.name.startswith(".v") and ".partial-" in path.name
        digits = path.name[1:]
        stale = path.name.startswith("v") and digits.isdigit() and int(digits) not in keep
        if partial or stale:
            shutil.rmtree(path, ignore_errors=True)


def disk_size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) if root.exists() else 0


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
