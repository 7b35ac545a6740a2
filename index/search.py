"""The candidates of a search: dense and BM25 finds, each scored by both, then fused.

The first step of `Library.search_by_vector`; choosing passages per document and reading their
rows from the catalog follow in the library.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.retrieval import reciprocal_rank_fusion, weighted_fusion
from index.store import IndexVersion


@dataclass(frozen=True)
class Candidates:
    """What the retrievers found for one query."""

    dense: dict[int, float]  # chunk id -> cosine, for every candidate dense search scored
    lexical: dict[int, float]  # chunk id -> BM25, for every candidate BM25 scored
    fused: list[tuple[int, float]]  # (chunk id, fused score), best first


def find_candidates(
    version: IndexVersion,
    query: str,
    vector: np.ndarray,
    allowed: np.ndarray | None,
    mode: str,
    count: int,
    dense_weight: float,
) -> Candidates:
    """Each retriever's best `count` (among `allowed` chunk ids when given), fused by `mode`.

    hybrid: each retriever also scores the other's finds, then the scores are fused with
    `dense_weight`; rrf: reciprocal rank fusion of the two rankings; dense or lexical: one alone.
    """
    dense = dict(version.vectors.search(vector, count, allowed))
    bm25 = version.lexical.score_all(query)
    lexical = dict(version.lexical.search(query, count, allowed, bm25))
    if mode == "hybrid":
        dense.update(version.vectors.cosines(vector, [i for i in lexical if i not in dense]))
        unseen = [i for i in dense if i not in lexical]
        lexical.update(version.lexical.scores(query, unseen, bm25))
        fused = weighted_fusion(dense, lexical, dense_weight)
    elif mode == "rrf":
        fused = reciprocal_rank_fusion([list(dense), list(lexical)])
    else:
        fused = sorted((dense if mode == "dense" else lexical).items(), key=lambda p: -p[1])
    return Candidates(dense, lexical, fused)
