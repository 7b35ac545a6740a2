"""Would a learned reranking of the hybrid top 100 pay? Features, fitted weights, cross-validated.

    python benchmarks/rerank_features.py --home DIR --dataset ../shared/bench/scifact --split train

Reads a library `evidence eval beir` built (passages, stored embeddings and sentence vectors),
takes each claim's 100 best documents by the hybrid score (dense weight 0.6, a document scored by
its best passage) and computes features for each: the cosine of the best and second passage, the
best stored sentence cosine, the title's cosine, BM25 of the best passage and of the whole
abstract, BM25 with k1 = 0.3, and the idf-weighted share of the claim's terms found in the best
passage, in a passage with its neighbours either side, and in the whole abstract. A linear score
over the hybrid and a set of features is fitted by coordinate ascent on nDCG@10 in 5 folds of the
claims, each fold scored with weights fitted on the other four; the held-out scores are judged
together by pytrec_eval. Prints a Markdown table and writes JSON. An experiment, not the product:
it decides whether such a reranker is worth building.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from fusion_ablation import Loaded, bm25, load

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evidence.evaluation import mean_scores, per_query
from index import lexical
from index.sentence_vectors import unpack

DEPTH = 100  # documents reranked per claim
FOLDS = 5
SEED = 20240521
SETS = (
    ("dense", "lexical"),
    ("second_cosine",),
    ("sentence_cosine",),
    ("title_cosine",),
    ("abstract_bm25",),
    ("bm25_k1_0.3",),
    ("passage_coverage",),
    ("window_coverage",),
    ("abstract_coverage",),
    ("abstract_coverage", "sentence_cosine", "second_cosine"),
    ("window_coverage", "sentence_cosine", "second_cosine"),
)


def by_document(scores: np.ndarray, owner: np.ndarray, documents: int, rank: int = 0) -> np.ndarray:
    """(queries, documents): each document's best (rank 0) or second (rank 1) row score."""
    out = np.full((scores.shape[0], documents), -1.0, dtype=np.float32)
    for r in range(scores.shape[0]):
        order = np.lexsort((-scores[r], owner))
        grouped, values = owner[order], scores[r][order]
        first = np.r_[True, grouped[1:] != grouped[:-1]]
        pick = first if rank == 0 else np.r_[False, ~first[1:] & first[:-1]]
        out[r, grouped[pick]] = values[pick]
    return out


def per_query_max(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(x.max(axis=1, keepdims=True), 1e-9)


def features(data: Loaded) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Each feature as (queries, DEPTH) over each claim's hybrid top DEPTH, and those documents."""
    docs = len(data.doc_names)
    owner = data.chunk_doc
    dense = data.qvec @ data.matrix.T
    passage_bm25 = bm25(data.titled, data.qtexts, lexical.terms, lexical.K1, lexical.B)
    best_dense = by_document(dense, owner, docs)
    best_bm25 = np.maximum(by_document(passage_bm25, owner, docs), 0)
    hybrid = 0.6 * per_query_max(best_dense) + 0.4 * per_query_max(best_bm25)
    top = np.argsort(-hybrid, axis=1, kind="stable")[:, :DEPTH]
    abstracts = [f"{data.corpus[n]['title']} {data.corpus[n]['text']}" for n in data.doc_names]
    titles = data.embedder.embed([data.corpus[n]["title"] or "-" for n in data.doc_names])
    sentence_rows, sentence_owner = [], []
    stored = data.catalog.sentence_vectors([int(i) for i in data.ids])
    for row, chunk_id in enumerate(data.ids):
        for vector in unpack(stored.get(int(chunk_id))).values():
            sentence_rows.append(vector)
            sentence_owner.append(owner[row])
    sentences = np.asarray(sentence_rows, dtype=np.float32)
    best_sentence = np.concatenate(
        [
            by_document(data.qvec[a : a + 100] @ sentences.T, np.asarray(sentence_owner), docs)
            for a in range(0, len(data.qids), 100)
        ]
    )
    # BM25 with k1 -> 0 and no length normalisation is the idf mass of the claim's terms present.
    coverage = bm25(data.titled, data.qtexts, lexical.terms, 1e-3, 0.0)
    # What a long report could compute: coverage of the passage with its neighbours either side.
    windows = [
        " ".join(
            data.titled[j]
            for j in (i - 1, i, i + 1)
            if 0 <= j < len(owner) and owner[j] == owner[i]
        )
        for i in range(len(owner))
    ]
    window = bm25(windows, data.qtexts, lexical.terms, 1e-3, 0.0)
    full = {
        "hybrid": hybrid,
        "dense": per_query_max(best_dense),
        "lexical": per_query_max(best_bm25),
        "second_cosine": by_document(dense, owner, docs, rank=1),
        "sentence_cosine": best_sentence,
        "title_cosine": data.qvec @ titles.T,
        "abstract_bm25": per_query_max(bm25(abstracts, data.qtexts, lexical.terms, 1.2, 0.75)),
        "bm25_k1_0.3": per_query_max(
            np.maximum(
                by_document(bm25(data.titled, data.qtexts, lexical.terms, 0.3, 0.4), owner, docs),
                0,
            )
        ),
        "passage_coverage": per_query_max(np.maximum(by_document(coverage, owner, docs), 0)),
        "window_coverage": per_query_max(np.maximum(by_document(window, owner, docs), 0)),
        "abstract_coverage": per_query_max(bm25(abstracts, data.qtexts, lexical.terms, 1e-3, 0.0)),
    }
    return {name: np.take_along_axis(x, top, axis=1) for name, x in full.items()}, top


class Fit:
    """Coordinate ascent on nDCG@10 (binary gains) over a fixed candidate list per claim."""

    def __init__(self, x: np.ndarray, relevant: np.ndarray, judged: np.ndarray) -> None:
        self.x, self.relevant = x, relevant
        self.discount = 1 / np.log2(np.arange(2, 12))
        self.ideal = np.array([self.discount[: int(min(n, 10))].sum() for n in judged])

    def ndcg(self, weights: np.ndarray, rows: np.ndarray) -> float:
        top = np.argsort(-(self.x[rows] @ weights), axis=1, kind="stable")[:, :10]
        gains = np.take_along_axis(self.relevant[rows], top, axis=1)
        return float(((gains * self.discount).sum(axis=1) / self.ideal[rows]).mean())

    def weights(self, rows: np.ndarray) -> np.ndarray:
        weights = np.zeros(self.x.shape[2])
        weights[0] = 1.0  # the hybrid score, as the product ranks
        best = self.ndcg(weights, rows)
        for _ in range(3):
            for step in (0.5, 0.2, 0.1, 0.05, 0.02):
                for j in range(1, len(weights)):
                    for sign in (1.0, -1.0):
                        while True:
                            trial = weights.copy()
                            trial[j] += sign * step
                            score = self.ndcg(trial, rows)
                            if score <= best + 1e-6:
                                break
                            weights, best = trial, score
        return weights


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="library built by eval beir")
    parser.add_argument("--dataset", type=Path, required=True, help="BEIR folder")
    parser.add_argument("--split", default="train")
    parser.add_argument("--out", type=Path, default=Path("bench-results/rerank_features.json"))
    args = parser.parse_args(argv)
    data = load(args.home, args.dataset, args.split)
    table, top = features(data)
    relevant = np.array(
        [
            [data.qrels[q].get(data.doc_names[d], 0) > 0 for d in top[r]]
            for r, q in enumerate(data.qids)
        ],
        dtype=np.float32,
    )
    judged = np.array([sum(v > 0 for v in data.qrels[q].values()) for q in data.qids])
    folds = np.array_split(np.random.default_rng(SEED).permutation(len(data.qids)), FOLDS)
    results: dict[str, dict[str, Any]] = {}
    for chosen in ((), *SETS):
        names = ("hybrid", *chosen)
        fit = Fit(np.stack([table[n] for n in names], axis=2), relevant, judged)
        held_out = np.zeros(top.shape, dtype=np.float32)
        for k, rows in enumerate(folds):
            train = np.concatenate([f for j, f in enumerate(folds) if j != k])
            held_out[rows] = fit.x[rows] @ fit.weights(train)
        run = {
            q: {data.doc_names[d]: float(held_out[r, n]) for n, d in enumerate(top[r])}
            for r, q in enumerate(data.qids)
        }
        fitted = fit.weights(np.arange(len(data.qids)))
        results[" + ".join(names)] = {
            **mean_scores(per_query(data.qrels, run)),
            "weights_on_all_claims": dict(zip(names, np.round(fitted, 3).tolist(), strict=True)),
        }
    lines = ["| features | nDCG@10 (5-fold held out) | weights fitted on all claims |"]
    lines.append("|---|---|---|")
    for name, m in results.items():
        weights = ", ".join(f"{k} {v:g}" for k, v in m["weights_on_all_claims"].items())
        lines.append(f"| {name} | {m['ndcg@10']:.3f} | {weights} |")
    print("\n".join(lines))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {"results": results, "depth": DEPTH, "folds": FOLDS, "queries": len(data.qids)}
    args.out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    data.catalog.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
