"""Measure where the "no evidence" threshold should sit, on a real library.

Asks questions the library can answer and questions it cannot, records the best passage's cosine
similarity for each, and reports the threshold that separates them best. Prints a table and writes
JSON.

    python -m benchmarks.threshold --home /tmp/corpus-library --out bench-results/threshold.json

The library should hold ../shared/corpus (`evidence --home DIR ingest ../shared/corpus`).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
from pathlib import Path

# Questions ../shared/corpus can answer (DfE guidance, Ofsted/JTAI reports, sector reports, kinship
# practice pages) ...
ANSWERABLE = [
    "What should a designated teacher do for looked-after children?",
    "When must a health assessment be carried out for a looked-after child?",
    "What are the seven golden rules for information sharing?",
    "Can I share information without consent to keep a child safe?",
    "What is a family network support package?",
    "How were family group conferences used in the Families First pathfinder?",
    "What did inspectors find about the front door in Leicester?",
    "How do agencies respond to young children who are victims of domestic abuse?",
    "How well do partners identify initial need and risk for children?",
    "What are the timescales for placing a child with adopters?",
    "What is fostering for adoption?",
    "How does the two-stage adopter approval process work?",
    "What should a local authority do when a child is missing education?",
    "What must a local offer for care leavers include?",
    "What is the Strengths and Difficulties Questionnaire used for?",
    "What factors identified at the end of assessment does the children in need census record?",
    "How does the workforce census count agency social workers?",
    "How should schools deal with allegations against staff?",
    "What is the role of the designated safeguarding lead?",
    "What outcomes did the Think Family Database evaluation find?",
    "How can relatives be involved before a child is removed from home?",
    "What is a personal education plan?",
    "What is the virtual school head responsible for?",
    "How quickly should children's social care respond to a referral from a school?",
    "What needs to improve in Hackney children's services?",
]
# ... and questions it cannot.
UNANSWERABLE = [
    "How do I bake sourdough bread?",
    "Who won the 1966 World Cup?",
    "What is the boiling point of water at high altitude?",
    "How do I configure a Kubernetes ingress controller?",
    "What is the best fertiliser for tomatoes?",
    "How do I change a car tyre?",
    "What is the capital of Australia?",
    "How do I file a tax return as a sole trader?",
    "What happens in the plot of Hamlet?",
    "How do black holes form?",
    "What is the exchange rate between pounds and euros?",
    "How should I train for a marathon?",
    "What are the rules of cricket?",
    "How do I build a website with Python?",
    "What causes inflation?",
    "When is the best time to visit Japan?",
    "How do I knit a scarf?",
    "What are the side effects of ibuprofen?",
    "How do I repair a leaking tap?",
    "Which planets have rings?",
]


def best_scores(home: Path, questions: list[str]) -> list[float]:
    from index.embedding.torch_backend import SentenceEmbedder
    from index.library import Library
    from index.settings import Settings

    settings = Settings.from_environ({}, home=home)
    library = Library(settings, SentenceEmbedder(settings.model))
    try:
        return [
            max((p.dense_score for p in library.search(q, limit=5)), default=-1.0)
            for q in questions
        ]
    finally:
        library.close()


def best_threshold(positives: list[float], negatives: list[float]) -> tuple[float, float]:
    """The cut (midway between neighbouring scores) with the best balanced accuracy."""
    candidates = sorted(set(positives + negatives))
    cuts = [(a + b) / 2 for a, b in itertools.pairwise(candidates)]
    best = (0.0, 0.0)
    for cut in cuts:
        recall = sum(s >= cut for s in positives) / len(positives)
        rejection = sum(s < cut for s in negatives) / len(negatives)
        balanced = (recall + rejection) / 2
        if balanced > best[1]:
            best = (cut, balanced)
    return best


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="library built from the corpus")
    parser.add_argument("--out", type=Path, default=Path("bench-results/threshold.json"))
    args = parser.parse_args()
    positives = best_scores(args.home, ANSWERABLE)
    negatives = best_scores(args.home, UNANSWERABLE)
    cut, balanced = best_threshold(positives, negatives)
    rows = [("answerable", q, s) for q, s in zip(ANSWERABLE, positives, strict=True)]
    rows += [("unanswerable", q, s) for q, s in zip(UNANSWERABLE, negatives, strict=True)]
    for kind, question, score in sorted(rows, key=lambda r: -r[2]):
        print(f"{score:6.3f}  {kind:<12}  {question}")
    summary = {
        "answerable": {"min": min(positives), "median": statistics.median(positives)},
        "unanswerable": {"max": max(negatives), "median": statistics.median(negatives)},
        "best_cut": round(cut, 3),
        "balanced_accuracy": round(balanced, 3),
    }
    print(json.dumps(summary, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"summary": summary, "rows": rows}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
