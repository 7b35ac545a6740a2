"""Sidecar manifests: CSV, TSV or YAML files beside the documents that correct their metadata.

A manifest lists files relative to its own folder (a manifest may list `sub/dir/file.pdf`) with
any of the override keys of `ingest.metadata`; other columns are ignored and reported.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from ingest.metadata import OVERRIDE_KEYS, normalise_overrides

log = logging.getLogger(__name__)

MANIFEST_NAMES = frozenset(
    {"manifest.csv", "manifest.tsv", "manifest.yaml", "manifest.yml"}
    | {"metadata.csv", "metadata.yaml", "metadata.yml"}
)
FILE_KEYS = ("file", "path", "filename")
KEY_ALIASES = {
    "license": "licence",
    "url": "source_url",
    "type": "doc_type",
    "document_type": "doc_type",
    "tags": "topics",
    "author": "authors",
}

Overrides = dict[str, object]


@dataclass(frozen=True)
class Manifest:
    """One manifest file: overrides per listed file, and the columns it did not understand."""

    path: Path
    entries: dict[Path, Overrides]
    ignored: tuple[str, ...] = ()


def is_manifest(path: Path) -> bool:
    """Whether this file is a manifest (and so not a document to ingest)."""
    return path.name.lower() in MANIFEST_NAMES


def find_manifests(folder: Path) -> list[Path]:
    """Manifests in folder and its subfolders, shallowest first; hidden folders are skipped."""
    found = [
        path
        for path in folder.rglob("*")
        if is_manifest(path)
        and path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(folder).parts[:-1])
    ]
    return sorted(found, key=lambda p: (len(p.relative_to(folder).parts), str(p)))


def read_manifest(path: Path) -> dict[Path, Overrides]:
    """Map each file a manifest lists (resolved) to its validated overrides; warn of ignored keys.

    Example:
        >>> read_manifest(Path("docs/manifest.csv"))[Path("docs/a.pdf").resolve()]
        {'doc_type': 'research report', 'year': 2024}

    Raises:
        ValueError: unreadable YAML, no file column, a row without a file, a file listed twice or
            an invalid value; the message names the manifest.
    """
    manifest = load_manifest(path)
    if manifest.ignored:
        log.warning("%s: ignored unknown columns %s", path, ", ".join(manifest.ignored))
    return manifest.entries


def load_manifest(path: Path) -> Manifest:
    """Read one manifest into a Manifest; see `read_manifest` for the errors it raises."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: cannot read manifest ({error}); save it as UTF-8") from error
    rows = (
        _yaml_rows(path, text)
        if path.suffix.lower() in (".yaml", ".yml")
        else _csv_rows(path, text)
    )
    entries: dict[Path, Overrides] = {}
    ignored: dict[str, None] = {}
    for where, row in rows:
        keyed = {KEY_ALIASES.get(_key(k), _key(k)): v for k, v in row.items() if k is not None}
        name = next((str(keyed.pop(k)).strip() for k in FILE_KEYS if keyed.get(k)), "")
        for key in FILE_KEYS:
            keyed.pop(key, None)
        if not name:
            raise ValueError(f"{path}: {where} names no file; fill in its 'file' value")
        ignored.update(dict.fromkeys(k for k in keyed if k not in OVERRIDE_KEYS))
        target = (path.parent / name.replace("\\", "/")).resolve()
        if target in entries:
            raise ValueError(f"{path}: {name} is listed twice; keep one entry for it")
        try:
            entries[target] = normalise_overrides(
                {k: keyed[k] for k in OVERRIDE_KEYS if k in keyed}
            )
        except ValueError as error:
            raise ValueError(f"{path}: {where} ({name}): {error}") from None
    return Manifest(path=path, entries=entries, ignored=tuple(ignored))


def read_manifests(paths: Iterable[Path]) -> dict[Path, Overrides]:
    """Merge several manifests' entries; for one file, later manifests' keys win."""
    merged: dict[Path, Overrides] = {}
    for path in paths:
        for target, overrides in read_manifest(path).items():
            merged[target] = {**merged.get(target, {}), **overrides}
    return merged


def manifest_for(file: Path, entries: Mapping[Path, Overrides]) -> Overrides:
    """The overrides that manifests give for one file; empty when none lists it."""
    return dict(entries.get(file.resolve(), {}))


def _key(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def _csv_rows(path: Path, text: str) -> list[tuple[str, dict[str | None, object]]]:
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    reader = csv.DictReader(text.splitlines(), delimiter=delimiter)
    header = {_key(name) for name in reader.fieldnames or []}
    if not header & set(FILE_KEYS):
        raise ValueError(
            f"{path}: no 'file' column in the header row {sorted(header)}; add a 'file' column "
            f"naming each document relative to the manifest's folder"
        )
    rows = [(f"row {n}", dict(row)) for n, row in enumerate(reader, start=2)]
    return [(where, row) for where, row in rows if any(str(v or "").strip() for v in row.values())]


def _yaml_rows(path: Path, text: str) -> list[tuple[str, dict[str | None, object]]]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValueError(f"{path}: not valid YAML ({error}); fix the syntax") from None
    if data is None:
        return []
    if isinstance(data, Mapping):
        for name, value in data.items():
            if value is not None and not isinstance(value, Mapping):
                raise ValueError(
                    f"{path}: {name}: give a mapping such as 'title: ...', not {value!r}"
                )
        data = [{"file": name, **(value or {})} for name, value in data.items()]
    if not isinstance(data, list) or not all(isinstance(item, Mapping) for item in data):
        raise ValueError(
            f"{path}: expected a list of mappings each with a 'file' key, or a mapping from file "
            f"name to a mapping of metadata"
        )
    return [(f"entry {n}", {str(k): v for k, v in item.items()}) for n, item in enumerate(data, 1)]
