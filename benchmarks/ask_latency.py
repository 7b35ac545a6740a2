"""Warm `ask` latency on an existing library: retrieval alone, and retrieval plus the quoted answer.

    python -m benchmarks.ask_latency --home DIR --queries ../shared/bench/scifact/queries.jsonl \
        --out bench-results/ask_latency.json

Questions come from a BEIR `queries.jsonl`, a question-set TSV (first column) or a text file
with one question per line. The first
few are asked once unmeasured (model and caches warm), then each question is timed once. Prints
p50/p95/p99 in milliseconds and writes them, with the library's size and settings, as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

WARM_UP = 5


def read_questions(path: Path, limit: int) -> list[str]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if path.suffix == ".jsonl":
        return [json.loads(line)["text"] for line in lines][:limit]
    if path.suffix == ".tsv":  # a question set: the question is the first column
        return [line.split("\t")[0] for line in lines[1:]][:limit]
    return lines[:limit]


def percentiles(values: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": round(cuts[49], 1), "p95": round(cuts[94], 1), "p99": round(cuts[98], 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="library folder (EVIDENCE_HOME)")
    parser.add_argument("--queries", type=Path, required=True, help="queries.jsonl or one per line")
    parser.add_argument("--limit", type=int, default=300, help="questions to time (default 300)")
    parser.add_argument("--out", type=Path, default=Path("bench-results/ask_latency.json"))
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from bot.answering import Answerer
    from index.embedding import load_embedder
    from index.library import Library
    from index.settings import Settings

    settings = Settings.from_environ(os.environ, home=args.home)
    library = Library(settings, load_embedder(settings))
    answerer = Answerer(library, settings.min_score)
    questions = read_questions(args.queries, args.limit + WARM_UP)
    for question in questions[:WARM_UP]:
        answerer.answer(question)
    search_ms, ask_ms = [], []
    for question in questions[WARM_UP:]:
        started = time.perf_counter()
        library.search(question)
        search_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        answerer.answer(question)
        ask_ms.append((time.perf_counter() - started) * 1000)
    version = library.current()
    result = {
        "questions": len(ask_ms),
        "chunks": version.vectors.count if version else 0,
        "embedding_backend": settings.embedding_backend,
        "retrieval_ms": percentiles(search_ms),
        "ask_ms": percentiles(ask_ms),
        "cpu_count": os.cpu_count(),
    }
    library.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
