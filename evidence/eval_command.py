"""`evidence eval beir PATH --split NAME`: every retrieval mode side by side on one index."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from index.settings import Settings

CANDIDATES = 200  # per retriever, so that Recall@100 is not capped by the candidate lists


def eval_command(settings: Settings, args: argparse.Namespace) -> int:
    from evidence.evaluation import (
        document_run,
        markdown_table,
        read_beir,
        scores,
        write_corpus,
    )
    from index.embedder import SentenceEmbedder
    from index.library import MODES, Library
    from ingest.job import ingest

    folder = Path(args.path)
    try:
        corpus, queries, qrels = read_beir(folder, args.split)
    except (OSError, ValueError, KeyError) as error:
        print(f"evidence eval: cannot read the BEIR dataset in {folder}: {error}", file=sys.stderr)
        return 2
    if args.queries:
        queries = dict(list(queries.items())[: args.queries])
        qrels = {q: qrels[q] for q in queries}
    documents = settings.home / "beir-documents" / folder.name
    write_corpus(corpus, documents)
    library = Library(settings, SentenceEmbedder(settings.model))
    try:
        report = ingest(library, [documents])
        results = {}
        timings = {}
        for mode in MODES:
            started = time.perf_counter()
            run = {
                qid: document_run(
                    p.source
                    for p in library.search(
                        text, limit=100, per_document=1, mode=mode, candidates=CANDIDATES
                    )
                )
                for qid, text in queries.items()
            }
            timings[mode] = round((time.perf_counter() - started) / max(len(queries), 1) * 1000, 1)
            results[mode] = scores(qrels, run)
    finally:
        library.close()
    config = {
        "model": library.embedder.name if library.embedder else settings.model,
        "chunk_tokens": settings.chunk_tokens,
        "chunk_overlap": settings.chunk_overlap,
        "fusion": "reciprocal rank fusion, k=60",
        "candidates": CANDIDATES,
        "dataset": folder.name,
        "split": args.split,
        "queries": len(queries),
        "documents": len(corpus),
        "failed_documents": report.count("failed"),
    }
    if args.json:
        print(json.dumps({"results": results, "ms_per_query": timings, "config": config}, indent=2))
    else:
        print(markdown_table(results, config))
    return 0
