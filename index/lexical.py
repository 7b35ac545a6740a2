"""A BM25 lexical index over chunk texts (Okapi BM25, k1=1.2, b=0.75)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

K1 = 1.2
B = 0.75
TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves may might must shall also""".split()
)


def terms(text: str) -> list[str]:
    """Lower-cased word terms without stopwords, lightly stemmed (plural and -ing endings)."""
    out = []
    for token in TOKEN.findall(text.casefold().replace("’", "'")):
        token = token.split("'")[0]
        if token in STOPWORDS or len(token) < 2:
            continue
        out.append(_stem(token))
    return out


def _stem(token: str) -> str:
    if len(token) > 5 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 5 and token.endswith("ing"):
        return token[:-3]
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


@dataclass(frozen=True)
class LexicalIndex:
    """BM25 weights per (chunk row, term) in a column-sparse matrix, with row -> chunk id."""

    ids: np.ndarray  # int64 chunk ids, one per row
    vocabulary: dict[str, int]
    weights: sparse.csc_matrix  # rows x terms, float32 BM25 term weights

    @classmethod
    def build(cls, ids: np.ndarray, texts: Sequence[str]) -> LexicalIndex:
        vocabulary: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        lengths = np.zeros(len(texts), dtype=np.float32)
        for row, text in enumerate(texts):
            doc_terms = terms(text)
            lengths[row] = len(doc_terms)
            for term in doc_terms:
                rows.append(row)
                cols.append(vocabulary.setdefault(term, len(vocabulary)))
        shape = (len(texts), len(vocabulary))
        counts = sparse.coo_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=shape
        ).tocsr()
        counts.sum_duplicates()
        df = np.bincount(counts.indices, minlength=len(vocabulary)).astype(np.float32)
        n = max(len(texts), 1)
        idf = np.log1p((n - df + 0.5) / (df + 0.5))
        avgdl = float(lengths.mean()) if len(texts) else 1.0
        norm = K1 * (1 - B + B * lengths / max(avgdl, 1e-9))
        tf = counts.data
        row_of = np.repeat(np.arange(shape[0]), np.diff(counts.indptr))
        counts.data = (tf * (K1 + 1) / (tf + norm[row_of]) * idf[counts.indices]).astype(np.float32)
        return cls(np.asarray(ids, dtype=np.int64), vocabulary, counts.tocsc())

    def __len__(self) -> int:
        return len(self.ids)

    def search(
        self, query: str, limit: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Best (chunk id, BM25 score) pairs, optionally only among allowed chunk ids."""
        columns = sorted({self.vocabulary[t] for t in terms(query) if t in self.vocabulary})
        if not columns or not len(self.ids):
            return []
        scores = np.asarray(self.weights[:, columns].sum(axis=1)).ravel()
        if allowed is not None:
            scores = np.where(np.isin(self.ids, allowed), scores, 0.0)
        top = np.argsort(-scores, kind="stable")[:limit]
        return [(int(self.ids[i]), float(scores[i])) for i in top if scores[i] > 0]
