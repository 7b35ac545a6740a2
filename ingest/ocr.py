"""Reading image-only PDF pages: rasterise with pypdfium2, recognise with an OCR engine.

Engines sit behind one small interface (`Engine.recognise(image) -> Recognised`) and are chosen
by `EVIDENCE_OCR`: `auto` takes Tesseract when it is installed (Debian's `tesseract-ocr` and
`tesseract-ocr-eng`), else RapidOCR when the `ocr` extra is (`pip install 'evidence-bot[ocr]'`:
its models ship inside the wheel); `tesseract` or `rapidocr` insists on one; `off` reads no
scans. Nothing is downloaded.

Each recognised page is kept on disk as soon as it is read (`PageCache`), so a run killed in the
middle of a long scan resumes where it stopped; every answer surface marks quotes from such pages
"text recognised from a scan".
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import os
import shutil
import statistics
import subprocess  # nosec B404 - Tesseract is run with fixed arguments, never a shell
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from ingest.loaded import RejectedFile

CHOICES = ("off", "auto", "tesseract", "rapidocr")
# Chosen by measurement (benchmarks/ocr_accuracy.py, docs/ocr.md): on the sample scan Tesseract
# errs least at 90-110 dpi (2.4-2.8 % of characters) and most at 300 (9.6 %), and is fastest
# low; RapidOCR too errs least at 100 (1.9 %, against 2.3 % at 150 and 2.6 % at 200).
DPI = 100
PAGE_SECONDS = 60.0  # recognising one page may take this long
MAX_PAGES = 300  # a document needing more pages recognised is refused
INSTALL = (
    "install Tesseract (`apt-get install tesseract-ocr tesseract-ocr-eng`) or RapidOCR "
    "(`pip install 'evidence-bot[ocr]'`) and set EVIDENCE_OCR=auto, or run OCR first "
    "(`ocrmypdf in.pdf out.pdf`) and ingest the OCR'd copy"
)


@dataclass(frozen=True)
class OcrSettings:
    """What ingestion does with pages that have no text layer (from `IngestSettings`)."""

    engine: str = "off"  # one of CHOICES
    page_seconds: float = PAGE_SECONDS
    max_pages: int = MAX_PAGES
    cache: str | None = None  # a folder keeping recognised pages until the run ends (`PageCache`)


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


class RapidOcr:
    """RapidOCR (PaddleOCR's PP-OCR models on onnxruntime), from the `ocr` extra: its detection
    and recognition models ship inside the wheel, so nothing is fetched. Text lines come back as
    boxes, set out again as lines and paragraphs (`from_boxes`). One thread a page: pages run two
    at a time, as fast here as one page on two threads."""

    name = "rapidocr"

    def __init__(self, seconds: float = PAGE_SECONDS) -> None:
        from importlib.metadata import version

        from rapidocr import RapidOCR

        self.seconds = seconds
        self.version = version("rapidocr")
        self._read = RapidOCR(
            params={
                "Global.log_level": "error",
                "Global.use_cls": False,  # scans are upright; the angle model only costs time
                "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                "Rec.rec_batch_num": 1,  # fastest measured: batches pad short lines to long ones
            }
        )

    def recognise(self, image: Any) -> Recognised:
        started = time.perf_counter()
        found: Any = self._read(image.convert("RGB"))  # its output's type is a union
        if time.perf_counter() - started > self.seconds:  # it cannot be interrupted: measured
            raise RejectedFile(
                f"recognising a page took longer than {self.seconds:g} s",
                "check the scan; raise EVIDENCE_OCR_PAGE_SECONDS, or set EVIDENCE_OCR=off",
            )
        if found.boxes is None:
            return Recognised("", 0.0)
        boxes = [[(float(x), float(y)) for x, y in box] for box in found.boxes]
        return from_boxes(boxes, list(found.txts), [float(s) for s in found.scores])


def from_boxes(
    boxes: Sequence[Sequence[tuple[float, float]]], texts: Sequence[str], scores: Sequence[float]
) -> Recognised:
    """Text-line boxes (four corners each) with their text and score as a page: boxes side by side
    make one line (left to right); a gap wider than the line's height, or a change of print size
    by a third, starts a paragraph. Confidence is the mean over words.

    >>> box = lambda x, y, h: [(x, y), (x + 50, y), (x + 50, y + h), (x, y + h)]
    >>> page = from_boxes([box(0, 0, 40), box(0, 50, 20), box(60, 51, 20), box(0, 75, 20),
    ...                    box(0, 150, 20)], ["Title", "The", "first", "line", "Next"],
    ...                   [1.0, 0.9, 0.9, 0.8, 0.5])
    >>> print(page.text)
    Title
    <BLANKLINE>
    The first
    line
    <BLANKLINE>
    Next
    >>> page.confidence
    0.82
    """
    rows: list[list[tuple[float, float, float, str]]] = []  # (left, top, height, text)
    weighted: list[float] = []
    for corners, text, score in sorted(
        zip(boxes, texts, scores, strict=True), key=lambda found: min(y for _, y in found[0])
    ):
        if not text.strip():
            continue
        top = min(y for _, y in corners)
        height = max(y for _, y in corners) - top
        weighted.extend([score] * len(text.split()))
        row = rows[-1] if rows else None
        if row is not None and abs(top - row[0][1]) < 0.5 * min(height, row[0][2]):
            row.append((min(x for x, _ in corners), top, height, text.strip()))
        else:
            rows.append([(min(x for x, _ in corners), top, height, text.strip())])
    paragraphs: list[list[tuple[float, str]]] = []  # each line's height and text
    previous: tuple[float, float] | None = None  # the last line's bottom and height
    for row in rows:
        line = " ".join(text for *_, text in sorted(row))
        top, height = row[0][1], statistics.median(h for _, _, h, _ in row)
        if previous is not None:
            bottom, last = previous
            if top - bottom > 0.5 * min(height, last) or not 0.75 < height / last < 1.33:
                paragraphs.append([])  # a new paragraph
        if not paragraphs:
            paragraphs.append([])
        paragraphs[-1].append((height, line))
        previous = (max(t + h for _, t, h, _ in row), height)
    text = "\n\n".join("\n".join(line for _, line in lines) for lines in paragraphs)
    # A paragraph's lines share its median height (descenders make single lines' boxes vary).
    sized = tuple(
        (statistics.median(h for h, _ in lines), line) for lines in paragraphs for _, line in lines
    )
    mean = sum(weighted) / len(weighted) if weighted else 0.0
    return Recognised(text, round(mean, 4), sized)


def find_engine(choice: str, page_seconds: float = PAGE_SECONDS) -> Engine | None:
    """The engine `choice` names (`off`, or `auto` with neither installed: None), allowed
    `page_seconds` a page; `auto` prefers Tesseract (as accurate here, and faster).

    Raises:
        RejectedFile: `tesseract` or `rapidocr` was asked for and is not installed.
    """
    if choice == "off":
        return None
    command = shutil.which("tesseract")
    if command is not None and choice in ("auto", "tesseract"):
        return Tesseract(command, page_seconds)
    if choice in ("auto", "rapidocr") and _has_rapidocr():
        return RapidOcr(page_seconds)
    if choice == "auto":
        return None
    raise RejectedFile(f"EVIDENCE_OCR={choice} but {choice} is not installed", INSTALL)


_engine = functools.cache(find_engine)


def preloads(choice: str) -> list[str]:
    """Modules the reader process should import before its memory cap: RapidOCR's libraries
    (OpenCV, onnxruntime: some 450 MB of address space) when `choice` would use it."""
    if choice == "rapidocr" or (choice == "auto" and shutil.which("tesseract") is None):
        return ["cv2", "onnxruntime", "rapidocr.main"] if _has_rapidocr() else []
    return []


def _has_rapidocr() -> bool:
    from importlib.util import find_spec

    return find_spec("rapidocr") is not None


@dataclass(frozen=True)
class Scanner:
    """What reads a PDF's image-only pages: the engine, the cap on pages, where finished pages
    are kept (so a killed run resumes without reading them again), and who hears of each page."""

    engine: Engine
    max_pages: int = MAX_PAGES
    cache: Path | None = None
    on_page: Callable[[int], None] | None = None

    @property
    def label(self) -> str:
        return f"{self.engine.name} {self.engine.version}"

    def recognise(self, data: bytes, pages: Sequence[int]) -> list[Recognised]:
        """Pages (1-based) of the PDF `data`, recognised (or taken from the cache), in order."""
        kept = PageCache(self.cache, data, self.label) if self.cache is not None else None
        done: dict[int, Recognised] = {}
        for number in pages:
            found = kept.get(number) if kept is not None else None
            if found is not None:
                done[number] = found
        wanted = [n for n in pages if n not in done]
        read = recognise_all(self.engine, rasterise(data, wanted))
        for number, result in zip(wanted, read, strict=True):
            if kept is not None:
                kept.put(number, result)
            done[number] = result
            if self.on_page is not None:
                self.on_page(number)
        return [done[n] for n in pages]


def scanner_for(
    settings: OcrSettings, on_page: Callable[[int], None] | None = None
) -> Scanner | None:
    """The `Scanner` that `settings` ask for; None when scans are not read. The engine is made
    once per process (RapidOCR loads its models then), not once per file."""
    engine = _engine(settings.engine, settings.page_seconds)
    if engine is None:
        return None
    cache = Path(settings.cache) if settings.cache else None
    return Scanner(engine, settings.max_pages, cache, on_page)


class PageCache:
    """Recognised pages of one file by one engine, one small JSON file a page, each written whole
    (a temporary file renamed into place) the moment the page is read. The ingest run clears the
    cache when it ends: it only spans a run that was killed and the run that resumes it."""

    def __init__(self, root: Path, data: bytes, engine: str) -> None:
        key = hashlib.sha256(data).hexdigest()[:32]
        self.folder = root / f"{key}-{engine.replace(' ', '-')}-{DPI}"

    def get(self, page: int) -> Recognised | None:
        try:
            raw = json.loads((self.folder / f"{page}.json").read_text(encoding="utf-8"))
            lines = tuple((float(h), str(line)) for h, line in raw["lines"])
            return Recognised(str(raw["text"]), float(raw["confidence"]), lines)
        except (OSError, ValueError, KeyError, TypeError):
            return None  # not read yet, or unreadable: read the page again

    def put(self, page: int, result: Recognised) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"{page}.json"
        partial = target.with_suffix(".part")
        partial.write_text(json.dumps(asdict(result)), encoding="utf-8")
        os.replace(partial, target)


def clear_cache(root: Path) -> None:
    """Forget every kept page (at the end of an ingest run)."""
    shutil.rmtree(root, ignore_errors=True)


def recognise_all(engine: Engine, images: Iterator[Any]) -> Iterator[Recognised]:
    """Recognise pages two (or the cores) at a time, in order, as each finishes: Tesseract is
    fastest on one thread a page (its own threads cost more than they give: 10 s a page against
    1.5 s here). Only a few pages are rasterised ahead, so a long scan never sits in memory."""
    from concurrent.futures import Future, ThreadPoolExecutor

    workers = max(1, min(4, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        ahead: list[Future[Recognised]] = []
        for image in images:
            ahead.append(pool.submit(engine.recognise, image))
            if len(ahead) >= 2 * workers:
                yield ahead.pop(0).result()
        for future in ahead:
            yield future.result()


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
