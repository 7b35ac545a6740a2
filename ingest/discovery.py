"""Finding the files an ingest run covers, and the sidecar metadata that applies to them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
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


def discover(paths: Sequence[Path], named: Collection[Path] = ()) -> list[Path]:
    """Files under the given paths (folders searched recursively), minus hidden files, manifests
    and a folder's paperwork (README, LICENSE, CHANGELOG...) unless a path or `named` names it.

    Raises:
        FileNotFoundError: a given path does not exist.
    """
    found: dict[Path, None] = {}
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
                and not is_manifest(candidate)
                and (not paperwork(candidate) or candidate.resolve() in named)
            ):
                found[candidate.resolve()] = None
    return list(found)


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
