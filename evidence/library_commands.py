"""`evidence docs`, `stats`, `migrate` and `reindex`: looking after the library."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from index import Settings


def library_command(settings: Settings, args: argparse.Namespace) -> int:
    from index import CatalogError

    try:
        if args.command == "migrate":
            return _migrate(settings)
        if args.command == "reindex":
            return _reindex(settings)
        if args.command == "stats":
            return _stats(settings, args.json)
        return _docs(settings, args)
    except CatalogError as error:
        print(f"evidence {args.command}: {error}", file=sys.stderr)
        return 2


def _migrate(settings: Settings) -> int:
    from index import Catalog

    settings.home.mkdir(parents=True, exist_ok=True)
    catalog = Catalog(settings.catalog_url)
    catalog.migrate()
    print(f"catalog {catalog.safe_url} is at revision {catalog.revision()}")
    catalog.close()
    return 0


def _open(settings: Settings, with_model: bool = False) -> Any:
    from index import Library

    embedder = None
    if with_model:
        from index import load_embedder

        embedder = load_embedder(settings)
    library = Library(settings, embedder)
    library.require_schema()
    return library


def _reindex(settings: Settings) -> int:
    library = _open(settings, with_model=True)
    with library.writing():
        version = library.publish([], [])
        pooled = library.add_sentence_vectors()
    print(f"rebuilt the index from the catalog: version {version}")
    if pooled:
        print(f"added sentence vectors to {pooled} passages stored before they were kept")
    return 0


def document_dict(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "authors": row.authors,
        "publisher": row.publisher,
        "year": row.year,
        "date": row.date,
        "doc_type": row.doc_type,
        "topics": row.topics,
        "licence": row.licence,
        "source": row.source,
        "source_url": row.source_url,
        "format": row.format,
        "pages": row.page_count,
        "chunks": row.chunk_count,
        "bytes": row.size_bytes,
        "sample": row.sample,
        "notes": row.notes,
        "content_hash": row.content_hash,
        "added_at": row.added_at.isoformat(),
    }


def _find(library: Any, ref: str) -> Any:
    from pathlib import Path

    if ref.isdigit():
        return library.document(int(ref))
    for candidate in (ref, str(Path(ref).resolve())):
        if found := library.documents_from(candidate):
            return found[0]
    return None


def _no_such_document(action: str, ref: str) -> int:
    print(f"evidence docs {action}: no document {ref!r}; see `evidence docs list`", file=sys.stderr)
    return 1


def _docs(settings: Settings, args: argparse.Namespace) -> int:
    action = args.docs_command
    if action == "remove":
        library = _open(settings, with_model=True)
        row = _find(library, args.document)
        if row is None:
            return _no_such_document(action, args.document)
        version = library.remove([row.id])
        print(f"removed document {row.id} “{row.title}”; index version {version}")
        return 0
    library = _open(settings)
    if action == "show":
        row = _find(library, args.document)
        if row is None:
            return _no_such_document(action, args.document)
        data = document_dict(row)
        data["recognised_pages"] = [  # read by OCR from a scan: quotes from them say so
            f"p. {p.page} ({p.engine}, confidence {p.confidence:.2f})"
            for p in library.scanned_pages(row)
        ]
        if args.json:
            print(json.dumps(data, indent=2, ensure_ascii=False))
        else:
            width = max(len(k) for k in data)
            for key, value in data.items():
                shown = ", ".join(value) if isinstance(value, list) else value
                print(f"{key:<{width}}  {shown if shown not in (None, '') else '-'}")
        return 0
    rows = library.documents()
    if args.json:
        print(json.dumps([document_dict(r) for r in rows], indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print("The library is empty: load documents with `evidence ingest PATH`.")
    for row in rows:
        flag = "  [sample]" if row.sample else ""
        print(f"{row.id:>5}  {row.year or '----'}  {row.doc_type:<19} {row.title[:70]}{flag}")
    return 0


def _stats(settings: Settings, as_json: bool) -> int:
    from dataclasses import asdict

    library = _open(settings)
    stats = library.stats()
    data = {
        **asdict(stats),
        "published_at": stats.published_at.isoformat() if stats.published_at else None,
        "home": str(stats.home),
    }
    if as_json:
        print(json.dumps(data, indent=2))
    else:
        width = max(len(k) for k in data)
        for key, value in data.items():
            print(f"{key:<{width}}  {value}")
    return 0
