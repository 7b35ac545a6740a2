"""Paired comparison of two retrieval configurations over the same queries.

A change is worth keeping only if it helps more queries than chance would: the per-query
differences are tested with a two-sided paired randomisation (sign-flip) test, the usual choice in
IR evaluation (Smucker, Allan and Carterette, 2007), and given a bootstrap 95% interval.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

ROUNDS = 10_000
LOWER_IS_BETTER = frozenset({"junk_share"})  # measures where B is better when it scores less


@dataclass(frozen=True)
class Comparison:
    measure: str
    queries: int
    mean_a: float
    mean_b: float
    better: int  # queries where B did better than A (scored higher, or lower where less is better)
    worse: int
    same: int
    low: float  # bootstrap 95% interval of the mean difference (B - A)
    high: float
    p_value: float  # two-sided paired randomisation test of "no difference"

    @property
    def difference(self) -> float:
        return self.mean_b - self.mean_a

    def summary(self) -> str:
        verdict = "significant at 0.05" if self.p_value < 0.05 else "not significant at 0.05"
        return (
            f"{self.measure}: A {self.mean_a:.4f}, B {self.mean_b:.4f}, "
            f"difference {self.difference:+.4f} (95% CI {self.low:+.4f} to {self.high:+.4f}); "
            f"B better on {self.better}, worse on {self.worse}, same on {self.same} of "
            f"{self.queries} queries; p = {self.p_value:.4f} ({verdict})"
        )


def compare(
    a: Mapping[str, float], b: Mapping[str, float], measure: str, *, seed: int = 0
) -> Comparison:
    """Compare per-query scores of A and B over the queries both were judged on.

    >>> c = compare({"1": 0.0, "2": 0.5}, {"1": 1.0, "2": 0.5}, "ndcg@10")
    >>> (c.better, c.worse, c.same, c.difference)
    (1, 0, 1, 0.5)
    >>> compare({"1": 0.0}, {"1": 0.2}, "junk_share").worse
    1
    """
    shared = sorted(set(a) & set(b))
    if not shared:
        raise ValueError("the two runs have no query in common")
    left = np.array([a[q] for q in shared], dtype=np.float64)
    right = np.array([b[q] for q in shared], dtype=np.float64)
    diff = right - left
    sign = -1.0 if measure in LOWER_IS_BETTER else 1.0
    rng = np.random.default_rng(seed)
    observed = abs(diff.mean())
    signs = rng.choice((-1.0, 1.0), size=(ROUNDS, len(diff)))
    extreme = int((np.abs((signs * diff).mean(axis=1)) >= observed - 1e-12).sum())
    boot = diff[rng.integers(0, len(diff), size=(ROUNDS, len(diff)))].mean(axis=1)
    return Comparison(
        measure=measure,
        queries=len(shared),
        mean_a=float(left.mean()),
        mean_b=float(right.mean()),
        better=int((sign * diff > 1e-12).sum()),
        worse=int((sign * diff < -1e-12).sum()),
        same=int((np.abs(diff) <= 1e-12).sum()),
        low=float(np.percentile(boot, 2.5)),
        high=float(np.percentile(boot, 97.5)),
        p_value=(extreme + 1) / (ROUNDS + 1),
    )
