"""Fit the sentence scorer and the refusal model on an answer set's tune split, cross-validated.

    python -m benchmarks.fit_selection benchmarks/answers/corpus.tsv --home LIBRARY [--out FILE]

For every tune question it retrieves as the product does, scores every candidate sentence's
features, and labels a sentence 1 when it is on the answer's page of the answer's file and holds
most of one of the answer's sentences. A logistic regression over the features (5 folds by
question) then ranks the sentences of held-out questions; the same quote selection as the product
turns them into quotes, judged as `evidence eval answers` judges them. The refusal model is a
second logistic regression over `refusal_features`, fitted on whether a question is answerable.
Prints cross-validated figures for the product's current weights and the fitted ones, the fitted
weights (to copy into bot/answer.py), the refusal trade-off curve, and writes JSON with --out.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import numpy as np

from bot import answer as answer_module
from bot.answering import Answerer
from bot.scope import load_scope
from bot.selection import FEATURES, Candidate, scored, select
from evaluation.answer_set import Item, holds, read_answer_set, same_file
from index.embedding import load_embedder
from index.library import Library
from index.sentences import split_sentences
from index.settings import Settings

FOLDS = 5
L2 = 1.0


def logistic(
    x: np.ndarray, y: np.ndarray, l2: float = L2, weights: np.ndarray | None = None
) -> np.ndarray:
    """L2-regularised logistic regression by Newton's method; the last column is the bias."""
    x = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(x.shape[1])
    sample = np.ones(len(x)) if weights is None else weights
    penalty = np.full(x.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-(x @ w)))
        gradient = x.T @ (sample * (p - y)) + penalty * w
        hessian = (x * (sample * p * (1 - p))[:, None]).T @ x + np.diag(penalty + 1e-6)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w


def pairwise(rows: list[dict], l2: float = L2) -> tuple[dict[str, float], float]:
    """A linear ranker from (answering, other) sentence pairs of each question (RankNet-style)."""
    diffs, labels = [], []
    for row in rows:
        feats = np.array([c.features for c in row["ranked"]])
        y = np.array(row["labels"])
        if not len(feats) or y.max() == 0:
            continue
        positives, negatives = feats[y == 1], feats[y == 0]
        for p in positives:
            for q in negatives:
                diffs += [p - q, q - p]
                labels += [1.0, 0.0]
    x = np.array(diffs)
    w = logistic(x, np.array(labels), l2)
    weights = {name: round(float(v), 3) for name, v in zip(FEATURES, w[:-1], strict=True)}
    return weights, -5.0


def gold_sentences(item: Item) -> list[str]:
    out = []
    for answer in item.answers:
        out += [answer[s:e] for s, e in split_sentences(answer)] or [answer]
    return out


def on_page(item: Item, passage, page: int, source: str) -> bool:
    return same_file(source, item.file) and (
        not passage.paginated or not item.pages or page in item.pages
    )


def collect(items: list[Item], answerer: Answerer) -> list[dict]:
    assert answerer.library.embedder is not None, "the answerer's library needs its model"
    embed = answerer.library.embedder.embed
    rows = []
    for item in items:
        found = answerer.retrieve(item.question)
        ranked = answer_module.rank_sentences(
            item.question, found.passages, embed, found.vector, found.terms
        )
        gold = gold_sentences(item) if item.answerable else []
        labels = [
            float(
                bool(gold)
                and on_page(
                    item, found.passages[c.passage], c.page, found.passages[c.passage].source
                )
                and any(holds(c.text, g) for g in gold)
            )
            for c in ranked
        ]
        rows.append(
            {
                "item": item,
                "passages": found.passages,
                "ranked": ranked,
                "labels": labels,
                "terms": found.terms,
                "unseen": found.unseen,
            }
        )
    return rows


def judge(
    row: dict, weights: dict[str, float], bias: float, limit: int, per_document: int
) -> tuple[int | None, list[Candidate]]:
    """Rank of the first selected quote that holds the answer, as the harness counts it."""
    item: Item = row["item"]
    ranked = scored(row["ranked"], weights, bias)
    quotes = select(ranked, row["passages"], limit=limit, per_document=per_document)
    for rank, quote in enumerate(quotes, start=1):
        passage = row["passages"][quote.passage]
        right = item.answerable and on_page(item, passage, quote.page, passage.source)
        if right and any(holds(quote.text, a) for a in item.answers):
            return rank, ranked
    return None, ranked


def as_weights(vector: np.ndarray) -> tuple[dict[str, float], float]:
    return {name: round(float(w), 3) for name, w in zip(FEATURES, vector[:-1], strict=True)}, round(
        float(vector[-1]), 3
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("answers", type=Path)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--split", default="tune")
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--weights",
        choices=("current", "pairwise"),
        default="current",
        help="sentence weights the refusal model is fitted over (default: the product's)",
    )
    args = parser.parse_args()
    settings = Settings.from_environ(home=args.home)
    library = Library(settings, load_embedder(settings))
    answerer = Answerer(library, settings.min_score)
    items = [i for i in read_answer_set(args.answers) if i.split == args.split]
    rows = collect(items, answerer)
    limit, per_document = settings.passages, settings.per_document
    answerable = [r for r in rows if r["item"].answerable]
    random.Random(7).shuffle(answerable)
    folds = [answerable[n::FOLDS] for n in range(FOLDS)]

    def hits(results: list[int | None]) -> dict[str, float]:
        n = len(results)
        return {
            "quote_hit@1": round(sum(r == 1 for r in results) / n, 3),
            "quote_hit@3": round(sum(r is not None and r <= 3 for r in results) / n, 3),
        }

    current = [
        judge(r, answer_module.SENTENCE_WEIGHTS, answer_module.SENTENCE_BIAS, limit, per_document)[
            0
        ]
        for r in answerable
    ]
    fitted_results: list[int | None] = []
    pairwise_results: list[int | None] = []
    for n, fold in enumerate(folds):
        train = [r for m, f in enumerate(folds) if m != n for r in f]
        x = np.array([c.features for r in train for c in r["ranked"]])
        y = np.array([label for r in train for label in r["labels"]])
        weights, bias = as_weights(logistic(x, y))
        fitted_results += [judge(r, weights, bias, limit, per_document)[0] for r in fold]
        weights, bias = pairwise(train)
        pairwise_results += [judge(r, weights, bias, limit, per_document)[0] for r in fold]
    x = np.array([c.features for r in answerable for c in r["ranked"]])
    y = np.array([label for r in answerable for label in r["labels"]])
    weights, bias = as_weights(logistic(x, y))
    report = {
        "questions": len(answerable),
        "current_weights": hits(current),
        "fitted_weights_cross_validated": hits(fitted_results),
        "pairwise_cross_validated": hits(pairwise_results),
        "fitted_on_all": {"weights": weights, "bias": bias},
    }
    weights, bias = pairwise(answerable)
    report["pairwise_on_all"] = {"weights": weights, "bias": bias}
    if args.weights == "current":
        weights, bias = answer_module.SENTENCE_WEIGHTS, answer_module.SENTENCE_BIAS
    # Refusal: features of each question's best sentences under the fitted scorer.
    names: list[str] = []
    refusal_x, refusal_y = [], []
    scope = load_scope(settings.scope)
    for row in rows:
        ranked = scored(row["ranked"], weights, bias)
        if not ranked:
            continue
        quotes = select(ranked, row["passages"], limit=limit, per_document=per_document)
        if scope.outside(row["item"].question, [q.text for q in quotes[:3]]):
            continue  # refused as outside the library whatever the model says
        values = answer_module.refusal_features(
            ranked, row["passages"], row["terms"], row["unseen"]
        )
        names = list(values)
        refusal_x.append([values[k] for k in names])
        refusal_y.append(float(row["item"].answerable))
    rx, ry = np.array(refusal_x), np.array(refusal_y)
    balance = np.where(ry == 1, 0.5 / max(ry.mean(), 1e-9), 0.5 / max(1 - ry.mean(), 1e-9))
    order = np.random.default_rng(7).permutation(len(rx))
    probability = np.zeros(len(rx))
    for n in range(FOLDS):
        held = order[n::FOLDS]
        rest = np.setdiff1d(order, held)
        w = logistic(rx[rest], ry[rest], l2=0.1, weights=balance[rest])
        probability[held] = 1 / (1 + np.exp(-(np.hstack([rx[held], np.ones((len(held), 1))]) @ w)))
    curve = []
    for threshold in np.arange(0.1, 0.95, 0.05):
        wrong = float(np.mean(probability[ry == 1] < threshold))
        right = float(np.mean(probability[ry == 0] < threshold))
        curve.append(
            {
                "threshold": round(float(threshold), 2),
                "wrong_refusals": round(wrong, 3),
                "correct_refusals": round(right, 3),
            }
        )
    w = logistic(rx, ry, l2=0.1, weights=balance)
    report["refusal"] = {
        "weights": {k: round(float(v), 3) for k, v in zip(names, w[:-1], strict=True)},
        "bias": round(float(w[-1]), 3),
        "cross_validated_curve": curve,
    }
    print(json.dumps(report, indent=2))
    if args.out:
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    library.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
