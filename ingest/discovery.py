"""Finding the files an ingest run covers, and the sidecar metadata that applies to them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ingest.manifest import find_manifests, read_manifest

SKIPPED_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})


def discover(paths: Sequence[Path]) -> list[Path]:
    """Files under the given paths (folders searched recursively), minus hidden files and manifests.

    Raises:
        FileNotFoundError: a given path does not exist.
    """
    found: dict[Path, None] = {}
    manifests = {m for folder in _folders(paths) for m in find_manifests(folder)}
    for path in paths:
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such file or folder")
        if path.is_file():
            found[path.resolve()] = None
            continue
        for candidate in sorted(path.rglob("*")):
            relative = candidate.relative_to(path)
            if (
                candidate.is_file()
                and not any(part.startswith(".") for part in relative.parts)
                and candidate.name.casefold() not in SKIPPED_NAMES
                and candidate.resolve() not in manifests
            ):
                found[candidate.resolve()] = None
    return list(found)


def manifest_overrides(paths: Sequence[Path]) -> dict[Path, dict[str, object]]:
    """Overrides for each listed file from every manifest in or under the given paths' folders.

    A manifest nearer to the file wins over one further up.
    """
    overrides: dict[Path, dict[str, object]] = {}
    for folder in sorted(_folders(paths), key=lambda f: len(f.parts)):
        for manifest in find_manifests(folder):
            for file, values in read_manifest(manifest).items():
                overrides.setdefault(file.resolve(), {}).update(values)
    return overrides


def _folders(paths: Sequence[Path]) -> set[Path]:
    folders: set[Path] = set()
    for path in paths:
        if path.is_dir():
            folders.add(path.resolve())
            folders.update(p.resolve() for p in path.rglob("*") if p.is_dir())
        elif path.exists():
            folders.add(path.parent.resolve())
    return folders
