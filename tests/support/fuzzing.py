"""Mutating small real files for fuzzing the loaders: the suite's property tests and the longer
`python -m benchmarks.fuzz_loaders` run share the seeds, the mutations and the checks.

A mutation is a list of edits `(kind, position, piece)`; applying it is deterministic, so a
failing example prints as a list that reproduces it. Word files are mutated inside: the edits
land in `word/document.xml`, which is zipped again (mutating the zip bytes would mostly stop at
its checksums and never reach the XML reader).
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.loaded import LoadedDocument, RejectedFile
from ingest.loading import load_file
from tests.support import factories

Edit = tuple[str, int, bytes]
KINDS = ("flip", "insert", "delete", "truncate", "repeat", "token")
# Pieces of structure a mutation may drop in: PDF syntax, XML and HTML markup, odd bytes
TOKENS = (
    b"obj", b"endobj", b"stream", b"endstream", b"<<", b">>", b"/Length 999999", b"0 R", b"[",
    b"]", b"/Kids [1 0 R]", b"xref", b"trailer", b"%%EOF", b"<w:p>", b"</w:t>", b"<w:tbl>",
    b"<!ENTITY a 'b'>", b"&a;", b"&#0;", b"&#x110000;", b"<![CDATA[", b"<script>", b"</p>",
    b"<table><tr><td>", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\r", b"\x1b[2J", "\u202e".encode(),
)  # fmt: skip
DOCUMENT_XML = "word/document.xml"
TEXT = "Kinship carers need a named support worker within the first month of a placement."


def seeds(folder: Path) -> dict[str, bytes]:
    """One small real file per format, built with the same factories as the loader tests."""
    folder.mkdir(parents=True, exist_ok=True)
    pdf = factories.make_pdf(
        folder / "seed.pdf", [["# Kinship care", TEXT], ["## Support", TEXT * 2]], title="Kinship"
    )
    docx = factories.make_docx(
        folder / "seed.docx", ["# Kinship care", TEXT], table=[["Age", "Support"], ["0-5", TEXT]]
    )
    html = factories.html_page(
        f"<main><h1>Kinship</h1><p>{TEXT}</p><ul><li>{TEXT}</li></ul></main>"
    )
    markdown = f"---\ntitle: Kinship\n---\n# Kinship care\n\n{TEXT}\n\n- {TEXT}\n"
    return {
        "pdf": pdf.read_bytes(),
        "docx": docx.read_bytes(),
        "html": html.encode(),
        "markdown": markdown.encode(),
        "text": f"KINSHIP CARE\n\n{TEXT}\n".encode(),
    }


def apply(data: bytes, edits: Sequence[Edit]) -> bytes:
    """`data` with each edit made in turn; positions wrap around the current length."""
    out = bytearray(data)
    for kind, position, piece in edits:
        at = position % (len(out) + 1)
        if kind == "flip" and out:
            out[at % len(out)] ^= 1 << (position % 8)
        elif kind == "insert":
            out[at:at] = piece
        elif kind == "delete":
            del out[at : at + 1 + position % 64]
        elif kind == "truncate":
            del out[at:]
        elif kind == "repeat":
            out[at:at] = out[at : at + 1 + position % 256] * (1 + position % 7)
        elif kind == "token":
            out[at:at] = TOKENS[position % len(TOKENS)]
    return bytes(out)


def mutate(format: str, data: bytes, edits: Sequence[Edit]) -> bytes:
    """The seed of `format` mutated; a Word file's edits go into its document XML."""
    if format != "docx":
        return apply(data, edits)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as original, zipfile.ZipFile(out, "w") as copy:
        for item in original.infolist():
            part = original.read(item)
            copy.writestr(item, apply(part, edits) if item.filename == DOCUMENT_XML else part)
    return out.getvalue()


def problems(document: LoadedDocument) -> list[str]:
    """What is wrong with a loader's output (empty when it keeps its promises)."""
    found = []
    if not all(isinstance(page, str) for page in document.pages):
        found.append("a page is not text")
    for page in document.pages:
        if any(ord(char) < 32 and char not in "\n\t" for char in page):
            found.append(f"a control character in a page: {page[:60]!r}")
            break
    for block in document.blocks:
        if not 1 <= block.page <= len(document.pages):
            found.append(f"a block on page {block.page} of {len(document.pages)}")
        elif not 0 <= block.start < block.end <= len(document.pages[block.page - 1]):
            found.append(f"a block outside its page: {block}")
        elif not document.pages[block.page - 1][block.start : block.end].strip():
            found.append(f"an empty block: {block}")
    return found


@dataclass(frozen=True)
class Trial:
    """One mutated file through `load_file`: read, refused (with the reason), or a defect."""

    outcome: str  # "read" | "refused" | "defect"
    detail: str
    seconds: float


def trial(path: Path, data: bytes, max_bytes: int = 2**24) -> Trial:
    """Write `data` to `path` and load it; any exception but the loader's refusal is a defect."""
    path.write_bytes(data)
    started = time.perf_counter()
    try:
        document = load_file(path, max_bytes)
    except RejectedFile as refused:
        ok = bool(refused.reason and refused.advice)
        outcome, detail = (
            ("refused", refused.reason) if ok else ("defect", "a refusal with no reason")
        )
    except Exception as error:
        outcome, detail = "defect", f"{type(error).__name__}: {error}"
    else:
        wrong = problems(document)
        outcome, detail = ("defect", "; ".join(wrong)) if wrong else ("read", "")
    return Trial(outcome, detail, time.perf_counter() - started)
