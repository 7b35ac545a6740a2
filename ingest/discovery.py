"""Finding the files an ingest run covers, and the sidecar metadata that applies to them."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ingest.manifest import find_manifests, is_manifest, read_manifests

SKIPPED_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})
# A folder's own paperwork, not evidence: skipped in a folder unless given by name or in a manifest.
PAPERWORK_STEMS = frozenset(
    "readme licence license changelog changes history contributing code_of_conduct copying "
    "notice authors security".split()
)


class ManifestError(ValueError):
    """A sidecar manifest cannot be used; the message names it and says what to fix."""


@dataclass(frozen=True)
class Found:
    """The files a run covers, and what was met in its folders but cannot be read, with why."""

    files: list[Path]
    refused: list[tuple[Path, str, str]] = field(default_factory=list)  # path, reason, advice


def discover(paths: Sequence[Path], named: Collection[Path] = ()) -> Found:
    """Files under the given paths (folders searched recursively), minus hidden files, manifests
    and a folder's paperwork (README, LICENSE, CHANGELOG...) unless a path or `named` names it.

    In a folder, symbolic links are followed only to files inside the same folder; links out of
    it or in a loop and folders that cannot be opened are refused, so a run never reads outside
    what it was given. Named pipes, devices and the like are found as files, and reading refuses
    them (`ingest.loading.read_bytes`) without blocking on a pipe.

    Raises:
        FileNotFoundError: a given path does not exist.
    """
    found: dict[Path, None] = {}
    refused: list[tuple[Path, str, str]] = []
    for path in paths:
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such file or folder")
        if not path.is_dir():
            found[path.resolve()] = None
            continue
        for candidate, problem in _walk(path, refused):
            relative = candidate.relative_to(path)
            if (
                candidate.name.casefold() not in SKIPPED_NAMES
                and not any(part.startswith(".") for part in relative.parts)
                and not is_manifest(candidate)
                and (not paperwork(candidate) or candidate.resolve() in named)
            ):
                if problem:
                    refused.append((candidate, *problem))
                else:
                    found[candidate.resolve()] = None
    return Found(list(found), refused)


def _walk(
    root: Path, refused: list[tuple[Path, str, str]]
) -> Iterator[tuple[Path, tuple[str, str] | None]]:
    """Each entry under `root` that is not a folder, sorted, with why it cannot be read or None."""
    top = root.resolve()

    def unreadable(error: OSError) -> None:
        where = Path(error.filename) if error.filename else root
        refused.append((where, f"cannot open the folder ({error.strerror})",
                        "check this process may read it"))  # fmt: skip

    for folder, folders, files in os.walk(root, onerror=unreadable):  # links not followed
        folders[:] = sorted(d for d in folders if not d.startswith("."))
        here = Path(folder)
        for name in sorted(files):
            entry = here / name
            yield entry, _link_problem(entry, top) if entry.is_symlink() else None
        for name in folders:  # a link to a folder inside is walked under its own name anyway
            if (here / name).is_symlink() and (problem := _link_problem(here / name, top)):
                yield here / name, problem


def _link_problem(entry: Path, top: Path) -> tuple[str, str] | None:
    try:
        target = entry.resolve(strict=True)
    except (OSError, RuntimeError):
        return "a symbolic link that loops or points nowhere", "remove or fix the link"
    if not target.is_relative_to(top):
        return ("a symbolic link to outside the folder",
                "copy the document into the folder, or give its own path")  # fmt: skip
    return None


def paperwork(path: Path) -> bool:
    """Whether a file is a folder's read-me, licence or change log rather than evidence."""
    stem = path.name.split(".", 1)[0].casefold().replace("-", "_")
    return stem in PAPERWORK_STEMS and path.suffix.casefold() in ("", ".md", ".txt", ".rst")


def manifest_overrides(paths: Sequence[Path]) -> dict[Path, dict[str, object]]:
    """Overrides per file from the manifests in the given folders (and beside given files).

    Raises:
        ManifestError: a manifest is unreadable or invalid.
    """
    manifests: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            manifests.update(dict.fromkeys(m.resolve() for m in find_manifests(path)))
        elif path.exists():
            beside = sorted(p for p in path.parent.iterdir() if is_manifest(p) and p.is_file())
            manifests.update(dict.fromkeys(p.resolve() for p in beside))
    try:
        return read_manifests(manifests)
    except ValueError as error:
        raise ManifestError(str(error)) from error
