"""BM25 ranking: the top rows without a full sort are exactly the rows a stable sort gives."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from index.lexical import LexicalIndex, best_rows


@given(
    st.lists(st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, 7.25]), max_size=80),
    st.integers(min_value=0, max_value=90),
)
def test_best_rows_match_a_stable_sort_ties_and_zeros_included(
    values: list[float], limit: int
) -> None:
    scores = np.asarray(values, dtype=np.float32)
    ranked = np.argsort(-scores, kind="stable")[:limit]
    assert best_rows(scores, limit).tolist() == [int(i) for i in ranked if scores[i] > 0]


def test_search_and_scores_agree_and_reuse_one_scoring() -> None:
    texts = [
        "kinship care with grandparents",
        "supervision of social workers",
        "kinship carers need support and kinship allowances",
        "caseloads and retention",
    ]
    index = LexicalIndex.build([10, 20, 30, 40], texts)
    query = "kinship support"
    found = index.search(query, 5)
    assert [i for i, _ in found] == [30, 10]
    everything = index.score_all(query)
    assert index.search(query, 5, all_scores=everything) == found
    assert index.scores(query, [30, 20, 99], everything) == {
        30: found[0][1],
        20: 0.0,
        99: 0.0,
    }
    assert index.search(query, 5, allowed=np.asarray([10, 20])) == [found[1]]
