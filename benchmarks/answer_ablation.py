"""Each answer-quality change taken out in turn, for paired comparison with the product.

    python -m benchmarks.answer_ablation benchmarks/answers/corpus.tsv --home LIBRARY --out DIR

Writes DIR/product.json and one DIR/without-<change>.json per change, each as
`evidence eval answers --out` writes them, then prints `evidence eval compare` of the product
against each (run on the test split with --split test).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path
from unittest import mock

from bot import answer as answer_module
from bot import answering
from evidence.cli import run
from index.glossary import Glossary
from index.settings import Settings

HAND_WEIGHTS = {  # the first hand-set weights, before the fit
    "sentence_cosine": 4.0,
    "passage_cosine": 1.0,
    "passage_fused": 1.0,
    "sentence_coverage": 1.5,
    "context_coverage": 0.5,
    "rare_coverage": 0.5,
    "lead_in": -0.5,
    "lower_start": -1.0,
    "short": -0.5,
}
CHANGES: dict[str, Callable[[], AbstractContextManager[object]]] = {
    "glossary": lambda: mock.patch.object(answering, "load_glossary", lambda _: Glossary({})),
    "scope": lambda: mock.patch.object(answering, "load_scope", lambda _: None),
    "fitted-weights": lambda: mock.patch.object(answer_module, "SENTENCE_WEIGHTS", HAND_WEIGHTS),
    "confidence-model": lambda: mock.patch.object(
        answer_module, "answer_confidence", lambda *a, **k: 1.0
    ),
    "deeper-candidates": lambda: mock.patch.object(answering, "CANDIDATE_PASSAGES", 5),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("answers")
    parser.add_argument("--home", required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--split", default="test")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    env = {"EVIDENCE_HOME": args.home}
    Settings.from_environ(env)
    base = ["eval", "answers", args.answers, "--split", args.split, "--json"]
    run([*base, "--out", str(args.out / "product.json")], env)
    for name, patch in CHANGES.items():
        with ExitStack() as stack:
            stack.enter_context(patch())
            run([*base, "--out", str(args.out / f"without-{name}.json")], env)
    env_2 = {**env, "EVIDENCE_PER_DOCUMENT": "2"}
    run([*base, "--out", str(args.out / "without-three-per-document.json")], env_2)
    for path in sorted(args.out.glob("without-*.json")):
        print(f"\n## product against {path.stem}")
        run(
            ["eval", "compare", str(path), str(args.out / "product.json"), "--mode", "answers"], env
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
