"""How well and how fast scanned pages are read: character error rate against ground truth.

    python -m benchmarks.ocr_accuracy --out ocr.json

For each available engine and each resolution, the scan in `../shared/corpus/scanned/` is
rasterised (pypdfium2) and recognised the way ingestion does it (`ingest.ocr`, pages in
parallel), then compared with `../shared/bench/ocr/` (the digital original's text layer, pages
separated by form feeds). The character error rate is the edit distance between the two texts,
whitespace runs collapsed to one space, divided by the ground truth's length: per page and over
all pages. Prints a table; writes the same as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from ingest.loaded import RejectedFile
from ingest.ocr import find_engine, rasterise, recognise_all

SHARED = Path(__file__).resolve().parents[2] / "shared"
SCAN = SHARED / "corpus" / "scanned" / "SCANNED_image_only_ILACS_leicester_pages_1-6.pdf"
TRUTH = SHARED / "bench" / "ocr" / "SCANNED_image_only_ILACS_leicester_pages_1-6.groundtruth.txt"


def levenshtein(a: str, b: str) -> int:
    """Edit distance (insertions, deletions, substitutions), one row of the table at a time."""
    if not b:
        return len(a)
    codes = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    steps = np.arange(len(b) + 1)
    previous = steps.copy()
    for i, char in enumerate(a, start=1):
        best = np.minimum(previous[:-1] + (codes != ord(char)), previous[1:] + 1)
        current = np.concatenate(([i], best)) - steps
        previous = np.minimum.accumulate(current) + steps
    return int(previous[-1])


def flat(text: str) -> str:
    return " ".join(text.split())


def measure(engine_name: str, dpi: int, data: bytes, truths: list[str]) -> dict[str, Any]:
    engine = find_engine(engine_name)
    assert engine is not None
    started = time.perf_counter()
    results = list(recognise_all(engine, rasterise(data, range(1, len(truths) + 1), dpi)))
    seconds = time.perf_counter() - started
    errors = [levenshtein(flat(r.text), flat(t)) for r, t in zip(results, truths, strict=True)]
    lengths = [len(flat(t)) for t in truths]
    return {
        "engine": f"{engine.name} {engine.version}",
        "dpi": dpi,
        "pages": len(truths),
        "cer": round(sum(errors) / sum(lengths), 4),
        "cer_per_page": [round(e / n, 4) for e, n in zip(errors, lengths, strict=True)],
        "confidence_per_page": [r.confidence for r in results],
        "pages_per_second": round(len(truths) / seconds, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dpi", default="100,150,200,300", help="resolutions to try")
    parser.add_argument("--engines", default="tesseract,rapidocr")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    data = SCAN.read_bytes()
    truths = [page for page in TRUTH.read_text(encoding="utf-8").split("\f") if page.strip()]
    rows = []
    for name in args.engines.split(","):
        try:
            find_engine(name)
        except RejectedFile:
            print(f"{name}: not installed, skipped", file=sys.stderr)
            continue
        rows += [measure(name, int(dpi), data, truths) for dpi in args.dpi.split(",")]
    print(f"{'engine':<16} {'dpi':>4} {'CER':>6} {'pages/s':>8}  CER per page")
    for row in rows:
        pages = " ".join(f"{c:.3f}" for c in row["cer_per_page"])
        print(f"{row['engine']:<16} {row['dpi']:>4} {row['cer']:>6.3f} "
              f"{row['pages_per_second']:>8.2f}  {pages}")  # fmt: skip
    if args.out:
        args.out.write_text(json.dumps({"scan": SCAN.name, "runs": rows}, indent=2))
    return 0 if rows else 1


if __name__ == "__main__":
    sys.exit(main())
