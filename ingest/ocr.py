"""Reading image-only PDF pages: rasterise with pypdfium2, recognise with an OCR engine.

Engines sit behind one small interface (`Engine.recognise(image) -> Recognised`) and are chosen
by `EVIDENCE_OCR`: `auto` takes Tesseract when it is installed (Debian's `tesseract-ocr` and
`tesseract-ocr-eng`), `tesseract` insists on it, `off` reads no scans. Nothing is downloaded:
Tesseract's English model is the Debian package's file.

Each recognised page is recorded (engine, confidence) and every answer surface marks its quotes
"text recognised from a scan". The default is `off` for now: see docs/ocr.md for the paired
comparison that keeps it so.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import statistics
import subprocess  # nosec B404 - Tesseract is run with fixed arguments, never a shell
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ingest.loaded import RejectedFile

CHOICES = ("off", "auto", "tesseract")
# Chosen by measurement (benchmarks/ocr_accuracy.py, docs/ocr.md): on the sample scan Tesseract
# errs least at 90-110 dpi (2.4-2.8 % of characters) and most at 300 (9.6 %), and is fastest low.
DPI = 100
PAGE_SECONDS = 60.0  # recognising one page may take this long
MAX_PAGES = 300  # a document needing more pages recognised is refused
INSTALL = (
    "install Tesseract (`apt-get install tesseract-ocr tesseract-ocr-eng`) and set "
    "EVIDENCE_OCR=auto, or run OCR first (`ocrmypdf in.pdf out.pdf`) and ingest the OCR'd copy"
)


@dataclass(frozen=True)
class OcrSettings:
    """What ingestion does with pages that have no text layer (from `IngestSettings`)."""

    engine: str = "off"  # one of CHOICES
    page_seconds: float = PAGE_SECONDS
    max_pages: int = MAX_PAGES


@dataclass(frozen=True)
class Recognised:
    """One page's recognised text (lines, blank lines between paragraphs) and the engine's mean
    word confidence, 0 to 1."""

    text: str
    confidence: float
    # each line with the median word height (px) of its paragraph: a title's lines share one
    lines: tuple[tuple[float, str], ...] = ()


class Engine(Protocol):
    name: str
    version: str

    def recognise(self, image: Any) -> Recognised: ...


class Tesseract:
    """The `tesseract` command, English, page segmentation left to it; words with confidences
    from its TSV output, set out again as lines and paragraphs."""

    name = "tesseract"

    def __init__(self, command: str, seconds: float = PAGE_SECONDS) -> None:
        self.command = command
        self.seconds = seconds
        shown = subprocess.run(
            [command, "--version"], capture_output=True, text=True, timeout=30, check=False
        )  # nosec B603 - a fixed argument list, no shell
        first = (shown.stdout or shown.stderr).splitlines()
        self.version = first[0].split()[-1] if first else "unknown"

    def recognise(self, image: Any) -> Recognised:
        png = io.BytesIO()
        image.save(png, format="PNG")
        try:
            done = subprocess.run(
                [self.command, "stdin", "stdout", "-l", "eng", "--psm", "3", "tsv"],
                input=png.getvalue(), capture_output=True, timeout=self.seconds, check=False,
                env={**os.environ, "OMP_THREAD_LIMIT": "1"},
            )  # nosec B603 - a fixed argument list, no shell  # fmt: skip
        except subprocess.TimeoutExpired as error:
            raise RejectedFile(
                f"recognising a page took longer than {self.seconds:g} s",
                "check the scan; raise EVIDENCE_OCR_PAGE_SECONDS, or set EVIDENCE_OCR=off",
            ) from error
        if done.returncode:
            raise RejectedFile(
                f"Tesseract could not read a page ({done.stderr.decode(errors='replace')[:120]})",
                "check the scan opens; re-scan it at 300 dpi",
            )
        return from_tsv(done.stdout.decode("utf-8", errors="replace"))


def from_tsv(tsv: str) -> Recognised:
    """Tesseract's TSV (one row per word, with block, paragraph and line numbers) as text: a line
    per recognised line, a blank line between paragraphs; the mean confidence of the words.

    >>> columns = "level page_num block_num par_num line_num word_num left top width height"
    >>> head = "\\t".join([*columns.split(), "conf", "text"])
    >>> rows = ["\\t".join(["5", "1", "1", "1", "1", "1", *"0000", c, w]) for c, w in
    ...         (("90", "Help"), ("80", "now"))]
    >>> from_tsv("\\n".join([head, *rows])).text
    'Help now'
    >>> from_tsv("\\n".join([head, *rows])).confidence
    0.85
    """
    lines: dict[tuple[int, int, int], list[str]] = {}
    heights: dict[tuple[int, int], list[float]] = {}  # per paragraph
    confidences: list[float] = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        word = (row.get("text") or "").strip()
        if row.get("level") != "5" or not word:
            continue
        key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        lines.setdefault(key, []).append(word)
        heights.setdefault(key[:2], []).append(float(row.get("height") or 0))
        confidence = float(row.get("conf") or -1)
        if confidence >= 0:
            confidences.append(confidence / 100)
    out: list[str] = []
    previous: tuple[int, int] | None = None
    for (block, paragraph, _), words in lines.items():
        if previous is not None and previous != (block, paragraph):
            out.append("")  # a new paragraph
        out.append(" ".join(words))
        previous = (block, paragraph)
    mean = sum(confidences) / len(confidences) if confidences else 0.0
    sized = tuple(
        (statistics.median(heights[key[:2]]), " ".join(words)) for key, words in lines.items()
    )
    return Recognised("\n".join(out), round(mean, 4), sized)


def find_engine(choice: str, page_seconds: float = PAGE_SECONDS) -> Engine | None:
    """The engine `choice` names (`off`: None), allowed `page_seconds` a page.

    Raises:
        RejectedFile: `tesseract` was asked for and is not installed.
    """
    if choice == "off":
        return None
    command = shutil.which("tesseract")
    if command is None:
        if choice == "auto":
            return None
        raise RejectedFile("EVIDENCE_OCR=tesseract but Tesseract is not installed", INSTALL)
    return Tesseract(command, page_seconds)


def recognise_all(engine: Engine, images: Iterator[Any]) -> list[Recognised]:
    """Recognise pages two (or the cores) at a time: Tesseract is fastest on one thread a page
    (its own threads cost more than they give: 10 s a page against 1.5 s here)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
        return list(pool.map(engine.recognise, images))


def rasterise(data: bytes, pages: Sequence[int], dpi: int = DPI) -> Iterator[Any]:
    """Pages (1-based) of a PDF as greyscale PIL images at `dpi`."""
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        for number in pages:
            page = document[number - 1]
            try:
                bitmap = page.render(scale=dpi / 72, grayscale=True)
                yield bitmap.to_pil()
            finally:
                page.close()
    finally:
        document.close()
