"""Pure ranking steps: fuse dense and lexical scores, keep a few passages per document."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
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


def weighted_fusion(
    dense: Mapping[int, float], lexical: Mapping[int, float], dense_weight: float
) -> list[tuple[int, float]]:
    """Fuse by score: w * cosine / best cosine + (1 - w) * BM25 / best BM25, best first.

    Both mappings hold a score for every candidate (each retriever scores the other's finds
    too), so a passage is judged on both signals rather than on where it happened to rank. Each
    score is divided by the best of its kind for this query: BM25 has no fixed scale, and the
    weight then means the same thing for every question.

    >>> weighted_fusion({1: 0.8, 2: 0.4}, {1: 2.0, 2: 10.0}, 0.5)
    [(2, 0.75), (1, 0.6)]
    """
    top_dense = max((v for v in dense.values() if v > 0), default=1.0)
    top_lexical = max((v for v in lexical.values() if v > 0), default=1.0)
    fused = {
        item: dense_weight * dense.get(item, 0.0) / top_dense
        + (1 - dense_weight) * lexical.get(item, 0.0) / top_lexical
        for item in set(dense) | set(lexical)
    }
    return sorted(fused.items(), key=lambda pair: (-pair[1], pair[0]))


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


TWIN_SHARE = 0.6  # a passage holding this share of another's words is the same passage
_WORD = re.compile(r"[a-z0-9]+")


def twin_of(text: str, others: Iterable[tuple[int, str]], share: float = TWIN_SHARE) -> int | None:
    """The first of `others` (id, text) that is the same passage as `text`: the shorter of the
    two holds at least `share` of its distinct words in the other (a scan's recognised copy of
    a digital page: OCR slips and chunk edges differ, the words do not). None when none is.

    >>> twin_of("Children were seen promptly by social workers.",
    ...         [(1, "Leaders were visible."), (2, "children were seen prompty by social workers")])
    2
    """
    words = set(_WORD.findall(text.casefold()))
    for item, other in others:
        theirs = set(_WORD.findall(other.casefold()))
        smaller = min(len(words), len(theirs))
        if smaller and len(words & theirs) >= share * smaller:
            return item
    return None
