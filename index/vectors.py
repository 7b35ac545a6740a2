"""The dense vector index, chosen by library size: exact while small, IVF with 8-bit codes when big.

`VectorIndex` holds either kind over catalog chunk ids and answers `search`, `vector(id)`, `add`
and `remove`, so the library edits either in place between versions. The choice is written into
each version's manifest (`describe`).

- under 50,000 passages: exact inner product (`IndexFlatIP` in an id map), 4 bytes a dimension.
- 50,000 and more: `IndexIVFScalarQuantizer`, inner product over 8-bit codes (1 byte a dimension)
  in `nlist` lists, of which a query scans `nprobe`.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

EXACT_LIMIT = 50_000
FLAT, IVF_SQ8 = "flat", "ivf-sq8"
TRAIN_PER_LIST = 40  # k-means points per list: enough for stable centroids, quick on two cores
PROBE_SHARE = 64  # search nlist / PROBE_SHARE lists, at least MIN_PROBE
# 16 probed lists gave recall@10 0.932 at 100k passages (tight clouds of near-duplicates); 32
# cost under a millisecond more. At 1M (2,048 lists, 32 probed) recall@10 was 0.966.
MIN_PROBE = 32
SEED = 1234


def plan(count: int) -> dict[str, Any]:
    """The index kind (and IVF shape) for a library of `count` passages."""
    if count < EXACT_LIMIT:
        return {"kind": FLAT}
    nlist = 2 ** round(math.log2(2 * math.sqrt(count)))  # 1M -> 2048, 100k -> 512
    return {"kind": IVF_SQ8, "nlist": nlist, "nprobe": max(MIN_PROBE, nlist // PROBE_SHARE)}


class VectorIndex:
    """The passages' unit vectors keyed by catalog chunk id, searched by inner product.

    Wraps a faiss index of the kind `plan` picks; the library edits it in place between versions
    (`remove`, `add`) while `still_fits` holds, and builds a new one otherwise.
    """

    def __init__(self, index: Any) -> None:
        self.index = index  # faiss.IndexIDMap2 (flat) or IndexIVFScalarQuantizer

    @classmethod
    def build(cls, ids: np.ndarray, matrix: np.ndarray, dimension: int) -> VectorIndex:
        """A new index of `matrix` (unit rows) keyed by `ids`, of the kind `plan` picks."""
        faiss = _faiss()

        shape = plan(len(ids))
        if shape["kind"] == FLAT:
            index = faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
        else:
            quantizer = faiss.IndexFlatIP(dimension)
            index = faiss.IndexIVFScalarQuantizer(
                quantizer,
                dimension,
                shape["nlist"],
                faiss.ScalarQuantizer.QT_8bit,
                faiss.METRIC_INNER_PRODUCT,
            )
            index.own_fields = True
            quantizer.this.disown()  # the IVF index frees its quantizer
            sample = min(len(ids), shape["nlist"] * TRAIN_PER_LIST)
            rows = np.random.default_rng(SEED).choice(len(ids), size=sample, replace=False)
            index.train(np.ascontiguousarray(matrix[np.sort(rows)]))
            index.nprobe = shape["nprobe"]
            # Catalog ids are not 0..n-1: a hash table maps them to list entries, for
            # `reconstruct(id)` and `remove_ids`.
            index.set_direct_map_type(faiss.DirectMap.Hashtable)
        built = cls(index)
        built.add(ids, matrix)
        return built

    @classmethod
    def read(cls, path: Path) -> VectorIndex:
        return cls(_faiss().read_index(str(path)))

    def write(self, path: Path) -> None:
        _faiss().write_index(self.index, str(path))

    @property
    def count(self) -> int:
        return int(self.index.ntotal)

    @property
    def dimension(self) -> int:
        return int(self.index.d)

    @property
    def kind(self) -> str:
        return IVF_SQ8 if isinstance(self.index, _faiss().IndexIVF) else FLAT

    def describe(self) -> dict[str, Any]:
        """What a manifest records about the index."""
        shape: dict[str, Any] = {"kind": self.kind, "count": self.count}
        if shape["kind"] == IVF_SQ8:
            index = self.index
            shape.update(
                nlist=int(index.nlist), nprobe=int(index.nprobe), code_bytes=index.code_size
            )
        return shape

    def still_fits(self, count: int) -> bool:
        """Whether the index can be edited to hold `count` passages, or should be rebuilt.

        A flat index is rebuilt as IVF once the library passes EXACT_LIMIT; an IVF index goes back
        to flat below it, and is retrained once the library is four times larger or smaller than
        the size its lists were planned for, since its centroids describe other data.
        """
        shape = plan(count)
        if shape["kind"] != self.kind:
            return False
        if shape["kind"] == IVF_SQ8:
            planned_for = (self.index.nlist / 2) ** 2  # the inverse of plan's nlist = 2 sqrt(n)
            return planned_for / 4 < count < planned_for * 4
        return True

    def search(
        self, query: np.ndarray, limit: int, allowed: np.ndarray | None
    ) -> list[tuple[int, float]]:
        """The `limit` nearest chunk ids by inner product, only among `allowed` when given."""
        faiss = _faiss()

        index = self.index
        k = min(limit, self.count)
        if k == 0:
            return []
        params = None
        selector = None
        if allowed is not None:
            selector = faiss.IDSelectorBatch(allowed)  # kept alive in this frame: faiss borrows it
        if self.kind == IVF_SQ8:
            # Filtered: every list is scanned, so a narrow filter still finds its passages.
            nprobe = index.nlist if selector is not None else index.nprobe
            params = faiss.SearchParametersIVF(nprobe=nprobe)
            if selector is not None:
                params.sel = selector
        elif selector is not None:
            params = faiss.SearchParameters()
            params.sel = selector
        scores, ids = index.search(query[None, :].astype(np.float32), k, params=params)
        return [(int(i), float(s)) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0]

    def vector(self, chunk_id: int) -> np.ndarray:
        """The stored vector of one passage (decoded from 8-bit codes in an IVF index)."""
        return np.asarray(self.index.reconstruct(int(chunk_id)))

    def cosines(self, query: np.ndarray, chunk_ids: Sequence[int]) -> dict[int, float]:
        """Cosine similarity of the query to stored passages (the vectors are normalised)."""
        return {int(i): float(np.dot(self.vector(int(i)), query)) for i in chunk_ids}

    def add(self, ids: np.ndarray, matrix: np.ndarray) -> None:
        if len(ids):
            self.index.add_with_ids(np.ascontiguousarray(matrix, dtype=np.float32), ids)

    def remove(self, ids: np.ndarray) -> None:
        """Drop these chunk ids from the index (ids it does not hold are ignored)."""
        faiss = _faiss()

        if not len(ids):
            return
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if self.kind == IVF_SQ8:  # its hash-table direct map can only remove a plain id array
            self.index.remove_ids(faiss.IDSelectorArray(len(ids), faiss.swig_ptr(ids)))
        else:
            self.index.remove_ids(faiss.IDSelectorBatch(ids))


def _faiss() -> Any:
    """faiss, imported on first use (it is slow to import) and typed loosely: its stubs lag it."""
    return importlib.import_module("faiss")
