"""Three tiny documents written straight into a library, bypassing ingestion."""

from __future__ import annotations

from index.library import Library
from index.records import Chunk, Document, DocumentMeta, Span

PAGES = {
    "supervision": (
        "Reflective supervision gives social workers time to think about families.",
        "Group supervision lets a team share the weight of hard decisions.",
    ),
    "retention": (
        "Manageable caseloads are the strongest reason social workers stay in post.",
        "Agency staff turnover disrupts relationships with children and families.",
    ),
    "frontdoor": (
        "At the front door, a referral is screened within one working day.",
        "Multi-agency partners share information when safeguarding concerns arise.",
    ),
}


def make_document(name: str, *, year: int = 2020, doc_type: str = "research report") -> Document:
    pages = PAGES[name]
    chunks = tuple(
        Chunk(i, text, (Span(i + 1, 0, len(text)),), ("Findings",), len(text.split()))
        for i, text in enumerate(pages)
    )
    meta = DocumentMeta(title=f"{name} study", year=year, doc_type=doc_type, topics=(name,))
    return Document(f"/data/{name}.pdf", f"hash-{name}-{year}", "pdf", True, pages, chunks, meta)


def add(library: Library, *documents: Document, remove: tuple[int, ...] = ()) -> list[int]:
    embedder = library.embedder
    assert embedder is not None
    with library.writing():
        library.check_model(create=True)
        run = library.catalog.begin_run(["test"])
        ids = [
            library.stage(d, embedder.embed([c.text for c in d.chunks]), run, 100)
            for d in documents
        ]
        library.publish(ids, list(remove))
    return ids
