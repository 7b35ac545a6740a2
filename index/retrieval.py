"""Pure ranking steps: fuse dense and lexical rankings, keep a few passages per document."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TypeVar

T = TypeVar("T")
RRF_K = 60  # the constant from Cormack et al. (2009); damps the weight of the very top ranks


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[int]], k: int = RRF_K
) -> list[tuple[int, float]]:
    """Fuse ranked id lists: score(id) = sum over lists of 1 / (k + rank), best first.

    >>> reciprocal_rank_fusion([[1, 2], [2, 3]])[0][0]
    2
    """
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def cap_per_group(
    items: Iterable[T], group: Callable[[T], Hashable], per_group: int, limit: int
) -> list[T]:
    """The first `limit` items in order, taking at most `per_group` from any one group."""
    taken: dict[Hashable, int] = {}
    out: list[T] = []
    for item in items:
        key = group(item)
        if taken.get(key, 0) >= per_group:
            continue
        taken[key] = taken.get(key, 0) + 1
        out.append(item)
        if len(out) >= limit:
            break
    return out
