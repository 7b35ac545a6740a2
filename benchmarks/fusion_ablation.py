"""What each retrieval step buys on a BEIR dataset, from a library `evidence eval beir` built.

    python -m benchmarks.fusion_ablation --home DIR --dataset ../shared/bench/scifact --split train

Reads the passages and their stored embeddings from the library's catalog (no re-embedding), embeds
the queries once, then scores every passage for every query in memory, one step at a time: BM25 as
it was (light suffix stemmer, no title), with Snowball stems, with the title on every passage, with
k1/b tuned; dense; reciprocal rank fusion; weighted score fusion across dense weights; and the
things tried and not kept (pseudo-relevance feedback on either side). A document is scored by its
best passage, as in the product. Prints a Markdown table and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from evaluation.retrieval import mean_scores, per_query, read_beir
from index import lexical
from index.catalog import Catalog, lexical_text
from index.embedding import load_embedder
from index.settings import Settings
from index.tables import ACTIVE

Analyse = Callable[[str], list[str]]
POOL = 200  # candidates per retriever, as in `evidence eval beir`


def light_terms(text: str) -> list[str]:
    """The analyzer before this change: plural and -ing endings only."""
    out = []
    for token in lexical.TOKEN.findall(text.casefold()):
        token = token.split("'")[0]
        if token in lexical.STOPWORDS or len(token) < 2:
            continue
        if len(token) > 5 and token.endswith("ies"):
            token = token[:-3] + "y"
        elif len(token) > 5 and token.endswith("ing"):
            token = token[:-3]
        elif len(token) > 3 and token.endswith("s") and not re.search(r"(ss|us|is)$", token):
            token = token[:-1]
        out.append(token)
    return out


def bm25(
    texts: Sequence[str], queries: Sequence[str], analyse: Analyse, k1: float, b: float
) -> Any:
    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    lengths = np.zeros(len(texts), dtype=np.float32)
    for row, text in enumerate(texts):
        found = analyse(text)
        lengths[row] = len(found)
        for term in found:
            rows.append(row)
            cols.append(vocabulary.setdefault(term, len(vocabulary)))
    shape = (len(texts), len(vocabulary))
    counts = sparse.coo_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=shape).tocsr()
    counts.sum_duplicates()
    df = np.bincount(counts.indices, minlength=len(vocabulary)).astype(np.float32)
    idf = np.log1p((len(texts) - df + 0.5) / (df + 0.5))
    norm = k1 * (1 - b + b * lengths / lengths.mean())
    row_of = np.repeat(np.arange(shape[0]), np.diff(counts.indptr))
    tf = counts.data
    counts.data = (tf * (k1 + 1) / (tf + norm[row_of]) * idf[counts.indices]).astype(np.float32)
    qrows, qcols = [], []
    for row, query in enumerate(queries):
        for col in sorted({vocabulary[t] for t in analyse(query) if t in vocabulary}):
            qrows.append(row)
            qcols.append(col)
    q = sparse.csr_matrix(
        (np.ones(len(qrows), np.float32), (qrows, qcols)), shape=(len(queries), len(vocabulary))
    )
    return np.asarray((q @ counts.T).todense(), dtype=np.float32)


@dataclass(frozen=True)
class Loaded:
    """An `evidence eval beir` library's passages, vectors and judged queries, in memory."""

    corpus: dict[str, dict[str, str]]
    qrels: dict[str, dict[str, int]]
    qids: list[str]
    qtexts: list[str]
    qvec: np.ndarray  # (queries, dimension), unit rows
    ids: np.ndarray  # chunk ids
    matrix: np.ndarray  # (passages, dimension), unit rows
    texts: list[str]  # passage texts
    titled: list[str]  # passage texts as BM25 indexes them: title first
    doc_names: list[str]  # BEIR document ids, sorted
    chunk_doc: np.ndarray  # each passage's position in doc_names
    embedder: Any
    catalog: Catalog


def load(home: Path, dataset: Path, split: str) -> Loaded:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    corpus, queries, qrels = read_beir(dataset, split)
    settings = Settings.from_environ(os.environ, home=home)
    catalog = Catalog(settings.catalog_url)
    documents = catalog.documents(ACTIVE)
    ids, matrix = catalog.embeddings([d.id for d in documents], matrix_dimension(catalog))
    rows = catalog.chunks([int(i) for i in ids])
    by_id = {chunk.id: (chunk, doc) for chunk, doc in rows}
    names = [Path(by_id[int(i)][1].source).stem for i in ids]
    texts = [by_id[int(i)][0].text for i in ids]
    titles = [corpus[name]["title"] for name in names]
    doc_names = sorted(set(names))
    position = {name: n for n, name in enumerate(doc_names)}
    qids = list(queries)
    qtexts = [queries[q] for q in qids]
    embedder = load_embedder(settings)
    return Loaded(
        corpus=corpus,
        qrels=qrels,
        qids=qids,
        qtexts=qtexts,
        qvec=embedder.embed(qtexts),
        ids=ids,
        matrix=matrix,
        texts=texts,
        titled=[lexical_text(t, [], x) for t, x in zip(titles, texts, strict=True)],
        doc_names=doc_names,
        chunk_doc=np.array([position[name] for name in names]),
        embedder=embedder,
        catalog=catalog,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="library built by eval beir")
    parser.add_argument("--dataset", type=Path, required=True, help="BEIR folder")
    parser.add_argument("--split", default="train")
    parser.add_argument("--out", type=Path, default=Path("bench-results/fusion_ablation.json"))
    args = parser.parse_args()
    data = load(args.home, args.dataset, args.split)
    qids, qtexts, qvec, qrels = data.qids, data.qtexts, data.qvec, data.qrels
    ids, matrix, texts, titled = data.ids, data.matrix, data.texts, data.titled
    doc_names, chunk_doc, catalog = data.doc_names, data.chunk_doc, data.catalog

    def evaluate(scores: np.ndarray) -> dict[str, float]:
        best = np.full((scores.shape[0], len(doc_names)), -1e30, dtype=np.float32)
        run = {}
        for r, qid in enumerate(qids):
            np.maximum.at(best[r], chunk_doc, scores[r])
            top = np.argpartition(-best[r], 100)[:100]
            run[qid] = {doc_names[i]: float(best[r, i]) for i in top if best[r, i] > -1e29}
        return mean_scores(per_query(qrels, run))

    def normalised(scores: np.ndarray) -> np.ndarray:
        return scores / np.maximum(scores.max(axis=1, keepdims=True), 1e-9)

    def rrf(*lists: np.ndarray) -> np.ndarray:
        out = np.zeros_like(lists[0])
        for scores in lists:
            top = np.argsort(-scores, axis=1)[:, :POOL]
            for r in range(len(qids)):
                out[r, top[r]] += 1.0 / (60 + np.arange(1, POOL + 1))
        return np.where(out > 0, out, -1e30)

    steps: dict[str, np.ndarray] = {}
    steps["BM25, light stemmer, k1=1.2 b=0.75 (before)"] = bm25(
        texts, qtexts, light_terms, 1.2, 0.75
    )
    steps["+ Snowball stems"] = bm25(texts, qtexts, lexical.terms, 1.2, 0.75)
    steps["+ title on every passage"] = bm25(titled, qtexts, lexical.terms, 1.2, 0.75)
    lex = bm25(titled, qtexts, lexical.terms, lexical.K1, lexical.B)
    steps[f"+ k1={lexical.K1} b={lexical.B} (lexical mode)"] = lex
    dense = qvec @ matrix.T
    steps["dense (dense mode)"] = dense
    steps["reciprocal rank fusion, k=60 (rrf mode)"] = rrf(dense, lex)
    for weight in (0.4, 0.5, 0.6, 0.7):
        name = f"weighted score fusion, dense weight {weight}"
        steps[name] = weight * normalised(dense) + (1 - weight) * normalised(lex)
    fused = 0.6 * normalised(dense) + 0.4 * normalised(lex)
    top = np.argsort(-fused, axis=1)[:, :3]
    expanded = qvec + matrix[top].mean(axis=1)
    expanded /= np.linalg.norm(expanded, axis=1, keepdims=True)
    steps["tried: + dense feedback from the top 3 passages"] = 0.6 * normalised(
        expanded @ matrix.T
    ) + 0.4 * normalised(lex)
    results = {name: evaluate(scores) for name, scores in steps.items()}
    lines = ["| step | nDCG@10 | Recall@100 | MRR@10 |", "|---|---|---|---|"]
    for name, m in results.items():
        lines.append(f"| {name} | {m['ndcg@10']:.3f} | {m['recall@100']:.3f} | {m['mrr@10']:.3f} |")
    print("\n".join(lines))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {"results": results, "passages": len(ids), "queries": len(qids)}
    args.out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    catalog.close()
    return 0


def matrix_dimension(catalog: Catalog) -> int:
    row = catalog.library()
    if row is None:
        raise SystemExit("the library is empty: build it with `evidence eval beir` first")
    return int(row.model_dimension)


if __name__ == "__main__":
    raise SystemExit(main())
