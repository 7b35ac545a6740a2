"""Fit the question classifier that tells which questions the library is not for.

    python -m benchmarks.fit_outside [--hold fresh7 --hold independent] [--out FILE.json]

Reads every question of benchmarks/answers/ (corpus.tsv, refusals.tsv, risky.tsv,
independent.tsv): answerable ones (with gold, or risky ones without) are the class "answerable";
unanswerable ones are labelled with their style (other-nation, adult, foreign, local-policy,
trivia, translation, legal-advice, off-topic). Each question is embedded as the product embeds it
(glossary expansions added, the configured model and backend), and a multinomial logistic
regression (class-balanced, L2) is fitted over the vectors.

The regularisation C and the threshold (refuse when P(not answerable) > threshold) are chosen by
leaving one batch out at a time (fresh1 ... fresh6, and the development set in five folds by id):
the threshold is the lowest at which at most 1 % of held-out answerable questions are refused.
Batches named with --hold are left out of that choice and of the fit, and reported once at the
end: that is the figure to expect on new questions. The model written with --out is fitted on
every question not held: with --hold it is the one to evaluate the held batches with
(EVIDENCE_OUTSIDE_MODEL=FILE evidence eval answers ...), without it the one to ship.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from evaluation.answer_set import read_answer_set
from index.embedding import load_embedder
from index.glossary import load_glossary
from index.settings import Settings

SETS = ("corpus", "refusals", "risky", "independent")
ANSWERABLE = "answerable"
GRID = (3.0, 10.0, 30.0, 100.0)
MAX_WRONG = 0.01  # share of held-out answerable questions the classifier may refuse


def questions(folder: Path) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Questions, their labels and their batches (split names; the development set in 5 folds)."""
    texts, labels, batches = [], [], []
    for name in SETS:
        for item in read_answer_set(folder / f"{name}.tsv"):
            answerable = item.answerable or name == "risky"
            texts.append(item.question)
            labels.append(ANSWERABLE if answerable else item.style)
            if name == "corpus":
                batches.append(f"dev{zlib.crc32(item.id.encode()) % 5}")
            else:
                batches.append("independent" if name == "independent" else item.split)
    return texts, np.array(labels), np.array(batches)


def fit(x: np.ndarray, labels: np.ndarray, c: float) -> Any:
    from sklearn.linear_model import LogisticRegression  # a dependency of sentence-transformers

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LogisticRegression(C=c, max_iter=5000, class_weight="balanced").fit(x, labels)


def outside_probability(model: Any, x: np.ndarray) -> np.ndarray:
    return 1.0 - model.predict_proba(x)[:, list(model.classes_).index(ANSWERABLE)]


Choice = tuple[float, float, dict[str, float]]


def choose(x: np.ndarray, labels: np.ndarray, batches: np.ndarray) -> Choice:
    """C and threshold by leaving one batch out: most unanswerable refused at MAX_WRONG."""
    best: Choice | None = None
    answerable = labels == ANSWERABLE
    for c in GRID:
        p = np.zeros(len(labels))
        for batch in sorted(set(batches)):
            held = batches == batch
            p[held] = outside_probability(fit(x[~held], labels[~held], c), x[held])
        for threshold in np.arange(0.5, 0.995, 0.01):
            wrong = float((p[answerable] > threshold).mean())
            if wrong <= MAX_WRONG:
                caught = float((p[~answerable] > threshold).mean())
                row = {"C": c, "threshold": round(float(threshold), 2), "refused": caught,
                       "wrongly_refused": wrong}  # fmt: skip
                print(f"C {c:g}: threshold {threshold:.2f}, held-out unanswerable refused "
                      f"{caught:.3f}, answerable refused {wrong:.3f}")  # fmt: skip
                if best is None or caught > best[2]["refused"]:
                    best = (c, round(float(threshold), 2), row)
                break
    assert best is not None, "no threshold keeps wrong refusals at the limit"
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", default="benchmarks/answers", help="folder of the sets")
    parser.add_argument("--hold", action="append", default=[], help="batch to report on only")
    parser.add_argument("--out", help="write the fitted model here (JSON)")
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args()
    settings = Settings.from_environ()
    embedder = load_embedder(settings)
    glossary = load_glossary(settings.glossary)
    texts, labels, batches = questions(Path(args.answers))
    x = embedder.embed([glossary.expand(t) for t in texts])
    held = np.isin(batches, args.hold)
    c, threshold, chosen = choose(x[~held], labels[~held], batches[~held])
    held_figures: dict[str, dict[str, float]] = {}
    figures: dict[str, object] = {"chosen": chosen, "held": held_figures}
    if held.any():
        p = outside_probability(fit(x[~held], labels[~held], c), x)
        for batch in args.hold:
            for kind, wanted in (("unanswerable", False), ("answerable", True)):
                mask = (batches == batch) & ((labels == ANSWERABLE) == wanted)
                if mask.any():
                    share = float((p[mask] > threshold).mean())
                    held_figures[f"{batch} {kind}"] = {
                        "questions": int(mask.sum()),
                        "refused": share,
                    }
                    print(f"held out {batch}, {int(mask.sum())} {kind}: refused {share:.3f}")
    if args.out:
        model = fit(x[~held], labels[~held], c)
        Path(args.out).write_text(
            json.dumps(
                {
                    "model": embedder.name,
                    "classes": [str(k) for k in model.classes_],
                    "coef": np.round(model.coef_, 5).tolist(),
                    "intercept": np.round(model.intercept_, 5).tolist(),
                    "threshold": threshold,
                    "fitted_on": int((~held).sum()),
                    "held": args.hold,
                },
                separators=(",", ":"),
            )
            + "\n",
            encoding="utf-8",
        )
        print(f"wrote {args.out}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
