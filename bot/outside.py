"""A question classifier for what the library is not for, over the question's own vector.

The scope markers and patterns (bot/scope.py) catch the phrasings they list; this catches the
kinds: fitted by benchmarks/fit_outside.py on the development set and the later batches of
unanswerable and answerable questions, it reads the question's embedding (the one retrieval
makes) and names the kind of question it is when it is sure enough the library cannot answer.
It belongs to the model it was fitted with and is not used with another.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.scope import ADULT, CONTACT, LEGAL, STAFF, TRANSLATION, TRIVIA

BUNDLED = Path(__file__).parent / "data" / "outside.json"
ANSWERABLE = "answerable"
# The classes the questions were labelled with, as the reason shown to the practitioner.
REASONS = {
    "other-nation": "another UK nation's law and services",
    "adult": ADULT,
    "foreign": "another country's system",
    "local-policy": f"one council's own policy, services or {CONTACT}",
    "trivia": TRIVIA,
    "translation": TRANSLATION,
    "legal-advice": LEGAL,
    "off-topic": STAFF,
}


@dataclass(frozen=True)
class OutsideModel:
    model: str  # the embedding model whose vectors it reads
    classes: tuple[str, ...]
    coef: np.ndarray  # (classes, dimension)
    intercept: np.ndarray  # (classes,)
    threshold: float  # refuse when P(not answerable) is above this

    def reason(self, vector: np.ndarray) -> str | None:
        """The kind of question the library is not for, or None when it may answer it."""
        z = self.coef @ vector + self.intercept
        p = np.exp(z - z.max())
        p /= p.sum()
        answerable = self.classes.index(ANSWERABLE)
        if 1.0 - p[answerable] <= self.threshold:
            return None
        p[answerable] = -1.0
        kind = self.classes[int(np.argmax(p))]
        return REASONS.get(kind, kind)


class OutsideModelError(ValueError):
    """A classifier file cannot be read; the message names the file."""


@functools.cache
def load_outside_model(path: Path | None = None, threshold: float | None = None) -> OutsideModel:
    """The bundled classifier, or the one in `path` (EVIDENCE_OUTSIDE_MODEL); `threshold`
    (EVIDENCE_OUTSIDE_THRESHOLD) replaces its own."""
    source = path or BUNDLED
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
        classes = tuple(data["classes"])
        coef = np.asarray(data["coef"], dtype=np.float32)
        intercept = np.asarray(data["intercept"], dtype=np.float32)
        if ANSWERABLE not in classes or not coef.shape[0] == len(intercept) == len(classes):
            raise ValueError("classes, coef and intercept do not match")
    except (OSError, ValueError, KeyError, TypeError) as failure:
        raise OutsideModelError(
            f"cannot read the question classifier {source}: {failure}; write one with "
            "python -m benchmarks.fit_outside --out, or unset EVIDENCE_OUTSIDE_MODEL"
        ) from failure
    return OutsideModel(
        model=data["model"],
        classes=classes,
        coef=coef,
        intercept=intercept,
        threshold=float(data["threshold"] if threshold is None else threshold),
    )
