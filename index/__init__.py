"""The library of evidence: catalog, embeddings, vector and lexical indexes, retrieval.

This is the package's public surface: outside `index`, code imports only these names, and only
`from index import ...` (`tests/test_architecture.py` checks both). Each name is imported from its
module when first used, so `import index` stays light (no FAISS, no model runtime).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from index.catalog import Catalog, CatalogError
    from index.embedding import Embedder, ModelError, load_embedder
    from index.glossary import load_glossary
    from index.lexical import ANALYZER, K1, B, terms
    from index.library import MODES, Library, LibraryBusy, LibraryFull
    from index.records import (
        DOC_TYPES,
        Chunk,
        Document,
        DocumentMeta,
        Filters,
        LibraryStats,
        Passage,
        ScannedPage,
        Span,
        StoredDocument,
    )
    from index.sentence_vectors import embed_chunks
    from index.sentences import split_sentences
    from index.settings import DEFAULT_MODEL, ENVIRONMENT, Settings, check_known, section_values
    from index.term_lists import TermListError, merged, read_term_lists

_HOMES = {
    "index.settings": ("DEFAULT_MODEL", "ENVIRONMENT", "Settings", "check_known", "section_values"),
    "index.library": ("Library", "LibraryBusy", "LibraryFull", "MODES"),
    "index.records": (
        "Chunk", "DOC_TYPES", "Document", "DocumentMeta", "Filters", "LibraryStats", "Passage",
        "ScannedPage", "Span", "StoredDocument",
    ),
    "index.catalog": ("Catalog", "CatalogError"),
    "index.embedding": ("Embedder", "ModelError", "load_embedder"),
    "index.lexical": ("ANALYZER", "B", "K1", "terms"),
    "index.sentences": ("split_sentences",),
    "index.sentence_vectors": ("embed_chunks",),
    "index.glossary": ("load_glossary",),
    "index.term_lists": ("TermListError", "merged", "read_term_lists"),
}  # fmt: skip
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = [
    "ANALYZER",
    "DEFAULT_MODEL",
    "DOC_TYPES",
    "ENVIRONMENT",
    "K1",
    "MODES",
    "B",
    "Catalog",
    "CatalogError",
    "Chunk",
    "Document",
    "DocumentMeta",
    "Embedder",
    "Filters",
    "Library",
    "LibraryBusy",
    "LibraryFull",
    "LibraryStats",
    "ModelError",
    "Passage",
    "ScannedPage",
    "Settings",
    "Span",
    "StoredDocument",
    "TermListError",
    "check_known",
    "embed_chunks",
    "load_embedder",
    "load_glossary",
    "merged",
    "read_term_lists",
    "section_values",
    "split_sentences",
    "terms",
]  # fmt: skip


def __getattr__(name: str) -> Any:
    module = _HOME_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'index' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
