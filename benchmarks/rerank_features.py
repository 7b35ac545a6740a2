"""Would a learned reranking of the hybrid top 100 pay? Features, fitted weights, cross-validated.

    python -m benchmarks.rerank_features --home DIR --dataset ../shared/bench/scifact --split train

Reads a library `evidence eval beir` built (passages, stored embeddings and sentence vectors),
takes each claim's 100 best documents by the hybrid score (dense weight 0.6, a document scored by
its best passage) and computes features for each: the cosine of the best and second passage, the
best stored sentence cosine, the title's cosine, BM25 of the best passage and of the whole
abstract, BM25 with k1 = 0.3, and the idf-weighted share of the claim's terms found in the best
passage, in a passage with its neighbours either side, and in the whole abstract. A linear score
over the hybrid and a set of features is fitted by coordinate ascent on nDCG@10 in 5 folds of the
claims, each fold scored with weights fitted on the other four; the held-out scores are judged
together by pytrec_eval. Then the same for each claim's best 300 passages ranked as the product
ranks (a passage by its own hybrid score, a document by its best passage) with features the
product could compute. Prints Markdown tables and writes JSON. An experiment, not the product: it
decides whether such a reranker is worth building.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.fusion_ablation import Loaded, bm25, load
from evaluation.retrieval import mean_scores, per_query
from index import lexical
from index.sentence_vectors import unpack

DEPTH = 100  # documents reranked per claim
PASSAGES = 300  # passages reranked per claim, in the product-like experiment
PASSAGE_FEATURES = (
    "hybrid",
    "passage_coverage",
    "window_coverage",
    "neighbour_cosine",
    "sentence_cosine",
)
PASSAGE_SETS = (
    ("passage_coverage",),
    ("window_coverage",),
    ("neighbour_cosine",),
    ("sentence_cosine",),
    ("window_coverage", "sentence_cosine"),
    ("window_coverage", "sentence_cosine", "neighbour_cosine"),
)
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


@dataclass(frozen=True)
class PassageScores:
    """What both experiments score every passage by, computed once: (claims, passages) arrays,
    each passage's neighbours in its document, and its stored sentence vectors."""

    dense: np.ndarray  # cosine
    bm25: np.ndarray  # the product's BM25, title first
    coverage: np.ndarray  # idf mass of the claim's terms in the passage
    window: np.ndarray  # the same in the passage with its neighbours either side
    neighbours: list[list[int]]
    sentences: list[np.ndarray]  # (sentences, dimension) per passage, possibly empty


def passage_scores(data: Loaded) -> PassageScores:
    owner = data.chunk_doc
    count = len(owner)
    neighbours = [
        [j for j in (i - 1, i + 1) if 0 <= j < count and owner[j] == owner[i]] for i in range(count)
    ]
    windows = [" ".join(data.titled[j] for j in sorted([i, *n])) for i, n in enumerate(neighbours)]
    stored = data.catalog.sentence_vectors([int(i) for i in data.ids])
    dimension = data.matrix.shape[1]
    return PassageScores(
        dense=data.qvec @ data.matrix.T,
        bm25=bm25(data.titled, data.qtexts, lexical.terms, lexical.K1, lexical.B),
        # BM25 with k1 -> 0 and no length normalisation is the idf mass of the terms present.
        coverage=bm25(data.titled, data.qtexts, lexical.terms, 1e-3, 0.0),
        window=bm25(windows, data.qtexts, lexical.terms, 1e-3, 0.0),
        neighbours=neighbours,
        sentences=[
            np.asarray(list(unpack(stored.get(int(i))).values()), dtype=np.float32).reshape(
                -1, dimension
            )
            for i in data.ids
        ],
    )


def features(data: Loaded, scored: PassageScores) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Each feature as (queries, DEPTH) over each claim's hybrid top DEPTH, and those documents."""
    docs = len(data.doc_names)
    owner = data.chunk_doc
    best_dense = by_document(scored.dense, owner, docs)
    best_bm25 = np.maximum(by_document(scored.bm25, owner, docs), 0)
    hybrid = 0.6 * per_query_max(best_dense) + 0.4 * per_query_max(best_bm25)
    top = np.argsort(-hybrid, axis=1, kind="stable")[:, :DEPTH]
    abstracts = [f"{data.corpus[n]['title']} {data.corpus[n]['text']}" for n in data.doc_names]
    titles = data.embedder.embed([data.corpus[n]["title"] or "-" for n in data.doc_names])
    sentences = np.concatenate(scored.sentences)
    sentence_owner = np.repeat(owner, [len(v) for v in scored.sentences])
    best_sentence = np.concatenate(
        [
            by_document(data.qvec[a : a + 100] @ sentences.T, sentence_owner, docs)
            for a in range(0, len(data.qids), 100)
        ]
    )
    full = {
        "hybrid": hybrid,
        "dense": per_query_max(best_dense),
        "lexical": per_query_max(best_bm25),
        "second_cosine": by_document(scored.dense, owner, docs, rank=1),
        "sentence_cosine": best_sentence,
        "title_cosine": data.qvec @ titles.T,
        "abstract_bm25": per_query_max(bm25(abstracts, data.qtexts, lexical.terms, 1.2, 0.75)),
        "bm25_k1_0.3": per_query_max(
            np.maximum(
                by_document(bm25(data.titled, data.qtexts, lexical.terms, 0.3, 0.4), owner, docs),
                0,
            )
        ),
        "passage_coverage": per_query_max(np.maximum(by_document(scored.coverage, owner, docs), 0)),
        "window_coverage": per_query_max(np.maximum(by_document(scored.window, owner, docs), 0)),
        "abstract_coverage": per_query_max(bm25(abstracts, data.qtexts, lexical.terms, 1e-3, 0.0)),
    }
    return {name: np.take_along_axis(x, top, axis=1) for name, x in full.items()}, top


def passage_features(
    data: Loaded, scored: PassageScores
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Features of each claim's PASSAGES best passages by the hybrid, as the product ranks: the
    hybrid of the passage alone, the share of the claim's terms in the passage and in the passage
    with its neighbours, the best cosine of a neighbour, the best stored sentence cosine; with
    each passage's document (an index into the claim's own documents) and those documents."""
    owner = data.chunk_doc
    dense = scored.dense
    hybrid = 0.6 * per_query_max(dense) + 0.4 * per_query_max(np.maximum(scored.bm25, 0))
    top = np.argsort(-hybrid, axis=1, kind="stable")[:, :PASSAGES]
    table: dict[str, list[np.ndarray]] = {k: [] for k in PASSAGE_FEATURES}
    groups, documents = np.zeros(top.shape, dtype=np.int64), []
    for r, chosen in enumerate(top):
        table["hybrid"].append(hybrid[r, chosen])
        table["passage_coverage"].append(per_query_max(scored.coverage[r : r + 1, chosen])[0])
        table["window_coverage"].append(per_query_max(scored.window[r : r + 1, chosen])[0])
        table["neighbour_cosine"].append(
            np.array(
                [max((dense[r, j] for j in scored.neighbours[i]), default=0.0) for i in chosen]
            )
        )
        table["sentence_cosine"].append(
            np.array(
                [
                    float((scored.sentences[i] @ data.qvec[r]).max())
                    if len(scored.sentences[i])
                    else 0.0
                    for i in chosen
                ]
            )
        )
        unique, groups[r] = np.unique(owner[chosen], return_inverse=True)
        documents.append(unique)
    width = max(len(d) for d in documents)
    padded = np.full((len(top), width), -1, dtype=np.int64)
    for r, unique in enumerate(documents):
        padded[r, : len(unique)] = unique
    return {k: np.asarray(v, dtype=np.float32) for k, v in table.items()}, groups, padded


class Fit:
    """Coordinate ascent on nDCG@10 (binary gains) over a fixed candidate list per claim.

    `x` is (claims, candidates, features); `groups` gives each candidate's document as an index
    into the claim's documents, `relevant` (claims, documents) their judgements. A document
    scores its best candidate's score, so the candidates may be documents or passages.
    """

    def __init__(
        self, x: np.ndarray, groups: np.ndarray, relevant: np.ndarray, judged: np.ndarray
    ) -> None:
        self.x, self.groups, self.relevant = x, groups, relevant
        self.discount = 1 / np.log2(np.arange(2, 12))
        self.ideal = np.array([self.discount[: int(min(n, 10))].sum() for n in judged])

    def scores(self, weights: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """(len(rows), documents): each document's best candidate score, -1e9 where none."""
        width = self.relevant.shape[1]
        out = np.full(len(rows) * width, -1e9)
        cells = (np.arange(len(rows))[:, None] * width + self.groups[rows]).ravel()
        np.maximum.at(out, cells, (self.x[rows] @ weights).ravel())
        return out.reshape(len(rows), width)

    def ndcg(self, weights: np.ndarray, rows: np.ndarray) -> float:
        top = np.argsort(-self.scores(weights, rows), axis=1, kind="stable")[:, :10]
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


def cross_validated(
    data: Loaded,
    table: dict[str, np.ndarray],
    groups: np.ndarray,
    documents: np.ndarray,
    sets: Sequence[tuple[str, ...]],
) -> dict[str, dict[str, Any]]:
    """Held-out nDCG@10 (and the rest) for the hybrid plus each set of features."""
    relevant = np.array(
        [
            [d >= 0 and data.qrels[q].get(data.doc_names[d], 0) > 0 for d in documents[r]]
            for r, q in enumerate(data.qids)
        ],
        dtype=np.float32,
    )
    judged = np.array([sum(v > 0 for v in data.qrels[q].values()) for q in data.qids])
    folds = np.array_split(np.random.default_rng(SEED).permutation(len(data.qids)), FOLDS)
    results: dict[str, dict[str, Any]] = {}
    for chosen in ((), *sets):
        names = ("hybrid", *chosen)
        fit = Fit(np.stack([table[n] for n in names], axis=2), groups, relevant, judged)
        held_out = np.zeros(documents.shape)
        for k, rows in enumerate(folds):
            train = np.concatenate([f for j, f in enumerate(folds) if j != k])
            held_out[rows] = fit.scores(fit.weights(train), rows)
        run = {
            q: {
                data.doc_names[d]: float(held_out[r, n])
                for n, d in enumerate(documents[r])
                if d >= 0
            }
            for r, q in enumerate(data.qids)
        }
        fitted = fit.weights(np.arange(len(data.qids)))
        results[" + ".join(names)] = {
            **mean_scores(per_query(data.qrels, run)),
            "weights_on_all_claims": dict(zip(names, np.round(fitted, 3).tolist(), strict=True)),
        }
    return results


def markdown(title: str, results: dict[str, dict[str, Any]]) -> str:
    lines = [f"| {title} | nDCG@10 (5-fold held out) | weights fitted on all claims |"]
    lines.append("|---|---|---|")
    for name, m in results.items():
        weights = ", ".join(f"{k} {v:g}" for k, v in m["weights_on_all_claims"].items())
        lines.append(f"| {name} | {m['ndcg@10']:.3f} | {weights} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="library built by eval beir")
    parser.add_argument("--dataset", type=Path, required=True, help="BEIR folder")
    parser.add_argument("--split", default="train")
    parser.add_argument("--out", type=Path, default=Path("bench-results/rerank_features.json"))
    args = parser.parse_args(argv)
    data = load(args.home, args.dataset, args.split)
    scored = passage_scores(data)
    table, top = features(data, scored)
    groups = np.tile(np.arange(top.shape[1]), (top.shape[0], 1))
    documents = cross_validated(data, table, groups, top, SETS)
    by_passage = cross_validated(data, *passage_features(data, scored), PASSAGE_SETS)
    print(markdown("documents: features", documents))
    print()
    print(markdown(f"the best {PASSAGES} passages, as the product ranks: features", by_passage))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "documents": documents,
        "passages": by_passage,
        "passage_depth": PASSAGES,
        "depth": DEPTH,
        "folds": FOLDS,
        "queries": len(data.qids),
    }
    args.out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    data.catalog.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
