"""A longer fuzzing run of every loader than the suite's: fresh random edits, many examples.

    python -m benchmarks.fuzz_loaders --examples 2000 --seed 1 --out fuzz.json

Each example is a seed file (tests/support/fuzzing.py) with 1-8 random edits, loaded in this
process with an alarm as a hang guard. Prints, per format, how many were read, refused and
defective (an exception other than the loader's refusal, broken output, or a hang), the slowest
example, and the first defects with the edits that reproduce them; writes the same as JSON.
Exits 1 when any defect was found.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import signal
import sys
import tempfile
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

from tests.support import fuzzing

HANG_SECONDS = 20


class _Hung(Exception):
    pass


def _alarm(_signal: int, _frame: FrameType | None) -> None:
    raise _Hung


def random_edits(rng: random.Random) -> list[fuzzing.Edit]:
    return [
        (rng.choice(fuzzing.KINDS), rng.randrange(2**31), rng.randbytes(rng.randint(1, 24)))
        for _ in range(rng.randint(1, 8))
    ]


def fuzz(examples: int, seed: int, formats: list[str]) -> dict[str, Any]:
    rng = random.Random(seed)
    signal.signal(signal.SIGALRM, _alarm)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        base = fuzzing.seeds(Path(folder) / "seeds")
        for format in formats:
            counts: Counter[str] = Counter()
            reasons: Counter[str] = Counter()
            defects: list[dict[str, Any]] = []
            slowest = 0.0
            for _ in range(examples):
                edits = random_edits(rng)
                data = fuzzing.mutate(format, base[format], edits)
                signal.alarm(HANG_SECONDS)
                try:
                    trial = fuzzing.trial(Path(folder) / f"fuzzed.{format}", data)
                except _Hung:
                    trial = fuzzing.Trial("defect", f"no answer within {HANG_SECONDS} s", 20.0)
                finally:
                    signal.alarm(0)
                counts[trial.outcome] += 1
                slowest = max(slowest, trial.seconds)
                if trial.outcome == "refused":
                    reasons[trial.detail.split(" (")[0][:60]] += 1
                elif trial.outcome == "defect" and len(defects) < 10:
                    defects.append({"detail": trial.detail, "edits": repr(edits)})
            results[format] = {
                "examples": examples,
                "read": counts["read"],
                "refused": counts["refused"],
                "defects": counts["defect"],
                "slowest_seconds": round(slowest, 3),
                "refusal_reasons": dict(reasons.most_common(8)),
                "first_defects": defects,
            }
    return {"seed": seed, "formats": results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=2000, help="per format")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--formats", default="pdf,docx,html,markdown,text")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    logging.disable(logging.ERROR)  # pypdf narrates every repair it tries; the counts tell
    report = fuzz(args.examples, args.seed, args.formats.split(","))
    print(
        f"{'format':<9} {'examples':>8} {'read':>6} {'refused':>8} {'defects':>8} {'slowest s':>10}"
    )
    for format, row in report["formats"].items():
        print(
            f"{format:<9} {row['examples']:>8} {row['read']:>6} {row['refused']:>8} "
            f"{row['defects']:>8} {row['slowest_seconds']:>10.3f}"
        )
        for defect in row["first_defects"][:3]:
            print(f"  defect: {defect['detail'][:160]}\n    edits: {defect['edits'][:200]}")
    if args.out:
        args.out.write_text(json.dumps(report, indent=2))
    return 1 if any(row["defects"] for row in report["formats"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
