"""A BM25 lexical index over chunk texts (Okapi BM25), English Snowball stems without stopwords.

k1 = 0.9 and b = 0.4 are Anserini's defaults, and the best of a small grid on the SciFact training
claims (docs/retrieval.md): passages are short, so length normalisation is light.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

K1 = 0.9
B = 0.4
ANALYZER = "snowball-english-1"  # recorded with each index: a library built otherwise is rebuilt
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
    """Lower-cased word terms without stopwords, reduced to their English Snowball stems.

    >>> terms("The children's caseloads were reducing")
    ['children', 'caseload', 'reduc']
    """
    out = []
    for token in TOKEN.findall(text.casefold().replace("’", "'")):
        token = token.split("'")[0]
        if token in STOPWORDS or len(token) < 2:
            continue
        out.append(_stem(token))
    return out


@functools.lru_cache(maxsize=200_000)
def _stem(token: str) -> str:
    return _stemmer().stemWord(token)


@functools.cache
def _stemmer() -> Any:
    import Stemmer  # PyStemmer: the Snowball stemmers compiled in C

    return Stemmer.Stemmer("english")


@dataclass(frozen=True)
class TermWeights:
    """A query's terms weighted by rarity in one library, and those the library never saw."""

    weights: dict[str, float]
    unseen: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LexicalIndex:
    """BM25 weights per (chunk row, term) in a column-sparse matrix, with row -> chunk id."""

    ids: np.ndarray  # int64 chunk ids, one per row
    vocabulary: dict[str, int]
    weights: sparse.csc_matrix  # rows x terms, float32 BM25 term weights
    analyzer: str = ANALYZER  # how texts became terms; queries must be analysed the same way

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

    def rarity(self, query: str) -> TermWeights:
        """Each distinct term of the query with its inverse document frequency here.

        A term the library has never seen gets the highest weight any term could have.
        """
        n = max(len(self.ids), 1)
        df = np.diff(self.weights.indptr)
        out = {}
        for term in dict.fromkeys(terms(query)):
            column = self.vocabulary.get(term)
            count = float(df[column]) if column is not None else 0.0
            out[term] = float(np.log1p((n - count + 0.5) / (count + 0.5)))
        return TermWeights(out, frozenset(t for t in out if t not in self.vocabulary))

    def _columns(self, query: str) -> list[int]:
        return sorted({self.vocabulary[t] for t in terms(query) if t in self.vocabulary})

    def score_all(self, query: str) -> np.ndarray:
        """The query's BM25 score for every passage, in the order of `ids`."""
        columns = self._columns(query)
        if not columns or not len(self.ids):
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self.weights[:, columns].sum(axis=1), dtype=np.float32).ravel()

    def scores(
        self, query: str, chunk_ids: Sequence[int], all_scores: np.ndarray | None = None
    ) -> dict[int, float]:
        """BM25 scores of the given chunks (0 for a chunk this index does not hold).

        `all_scores` is `score_all(query)` when the caller has it already.
        """
        wanted = np.asarray(chunk_ids, dtype=np.int64)
        if not len(self.ids):
            return {int(i): 0.0 for i in wanted}
        full = self.score_all(query) if all_scores is None else all_scores
        rows = np.minimum(np.searchsorted(self.ids, wanted), len(self.ids) - 1)
        held = self.ids[rows] == wanted  # ids are kept in ascending order
        values = np.where(held, full[rows], 0.0)
        return {int(i): float(v) for i, v in zip(wanted, values, strict=True)}

    def search(
        self,
        query: str,
        limit: int,
        allowed: np.ndarray | None = None,
        all_scores: np.ndarray | None = None,
    ) -> list[tuple[int, float]]:
        """Best (chunk id, BM25 score) pairs, optionally only among allowed chunk ids."""
        scores = self.score_all(query) if all_scores is None else all_scores
        if allowed is not None:
            scores = np.where(np.isin(self.ids, allowed), scores, 0.0)
        top = best_rows(scores, limit)
        return [(int(self.ids[i]), float(scores[i])) for i in top]


def best_rows(scores: np.ndarray, limit: int) -> np.ndarray:
    """Rows of the `limit` highest positive scores, best first, ties in row order.

    The same rows as a stable sort of the whole array, without sorting it: at a million passages
    a full sort took 35 ms a query, this takes about 2.
    """
    positive = np.flatnonzero(scores > 0)
    if len(positive) > limit > 0:
        values = scores[positive]
        kth = np.partition(values, len(values) - limit)[len(values) - limit]
        above = positive[values > kth]
        tied = positive[values == kth][: limit - len(above)]
        positive = np.concatenate([above, tied])
    elif limit <= 0:
        positive = positive[:0]
    order = np.lexsort((positive, -scores[positive]))
    return positive[order]
