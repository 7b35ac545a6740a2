"""Retrieval quality on BEIR-format datasets, through the product's own ingestion and search.

Documents become text files (title first), are ingested as usual, and every query runs in each
retrieval mode; a document's rank is that of its best passage. Metrics come from pytrec_eval
(the maintained `pytrec-eval-terrier` build), the reference implementation of trec_eval.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

Run = dict[str, dict[str, float]]  # query id -> document id -> score (higher is better)
Qrels = dict[str, dict[str, int]]  # query id -> document id -> relevance


def read_beir(folder: Path, split: str) -> tuple[dict[str, dict[str, str]], dict[str, str], Qrels]:
    """Corpus, the queries that have judgements in `split`, and the judgements."""
    corpus = {}
    for line in (folder / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            doc = json.loads(line)
            corpus[str(doc["_id"])] = {"title": doc.get("title", ""), "text": doc.get("text", "")}
    qrels: Qrels = {}
    lines = (folder / "qrels" / f"{split}.tsv").read_text(encoding="utf-8").splitlines()
    for line in lines[1:]:  # header: query-id corpus-id score
        parts = line.split("\t")
        if len(parts) >= 3 and int(parts[2]) > 0:
            qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    queries = {}
    for line in (folder / "queries.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            query = json.loads(line)
            if str(query["_id"]) in qrels:
                queries[str(query["_id"])] = query["text"]
    return corpus, queries, qrels


def write_corpus(corpus: Mapping[str, Mapping[str, str]], folder: Path) -> None:
    """One text file per document, `<id>.txt`, title on the first line; unchanged files kept.

    A `manifest.tsv` beside them gives each document its title, as a librarian's manifest would.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for doc_id, doc in corpus.items():
        path = folder / f"{doc_id}.txt"
        text = f"{doc['title'].strip()}\n\n{doc['text'].strip()}\n"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    rows = io.StringIO()
    writer = csv.writer(rows, delimiter="\t", lineterminator="\n")
    writer.writerow(["file", "title"])
    for doc_id, doc in corpus.items():
        title = " ".join(doc["title"].split())
        writer.writerow([f"{doc_id}.txt", title or doc_id])
    (folder / "manifest.tsv").write_text(rows.getvalue(), encoding="utf-8")


def document_run(ranked_sources: Iterable[str]) -> dict[str, float]:
    """Scores for documents in the order their best passages were ranked (first = best)."""
    run: dict[str, float] = {}
    for source in ranked_sources:
        doc_id = Path(source).stem
        if doc_id not in run:
            run[doc_id] = 1.0 / (len(run) + 1)
    return run


def per_query(qrels: Qrels, run: Run) -> dict[str, dict[str, float]]:
    """nDCG@10, Recall@100 and MRR@10 for every judged query (0 for a query with no results)."""
    import pytrec_eval

    top10 = {q: dict(sorted(d.items(), key=lambda x: -x[1])[:10]) for q, d in run.items()}
    full = pytrec_eval.RelevanceEvaluator(qrels, {"ndcg_cut.10", "recall.100"}).evaluate(run)
    cut = pytrec_eval.RelevanceEvaluator(qrels, {"recip_rank"}).evaluate(top10)
    return {
        q: {
            "ndcg@10": full.get(q, {}).get("ndcg_cut_10", 0.0),
            "recall@100": full.get(q, {}).get("recall_100", 0.0),
            "mrr@10": cut.get(q, {}).get("recip_rank", 0.0),
        }
        for q in qrels
    }


def scores(qrels: Qrels, run: Run) -> dict[str, float]:
    """Mean nDCG@10, Recall@100 and MRR@10 over the judged queries."""
    return mean_scores(per_query(qrels, run))


def mean_scores(table: Mapping[str, Mapping[str, float]]) -> dict[str, float]:
    measures = sorted({m for row in table.values() for m in row})
    return {
        m: round(sum(row.get(m, 0.0) for row in table.values()) / max(len(table), 1), 4)
        for m in measures
    }


def markdown_table(results: Mapping[str, Mapping[str, float]], config: Mapping[str, Any]) -> str:
    lines = ["| mode | nDCG@10 | Recall@100 | MRR@10 |", "|---|---|---|---|"]
    for mode, m in results.items():
        lines.append(f"| {mode} | {m['ndcg@10']:.3f} | {m['recall@100']:.3f} | {m['mrr@10']:.3f} |")
    settings = ", ".join(f"{k}={v}" for k, v in config.items())
    return "\n".join([*lines, "", f"Configuration: {settings}"])
