"""A fast, deterministic stand-in for the embedding model, for tests of plumbing only."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

TOKEN = re.compile(r"\w+|[^\w\s]")


class HashEmbedder:
    """Bag of hashed words in `dimension` buckets, unit length: similar words, similar vectors."""

    def __init__(self, dimension: int = 64, name: str = "hash-test-model") -> None:
        self._dimension = dimension
        self._name = name
        self.calls = 0
        self.embedded = 0

    @property
    def name(self) -> str:
        return self._name

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def max_tokens(self) -> int:
        return 254

    def embed(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        self.calls += 1
        self.embedded += len(texts)
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.casefold()):
                digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
                out[row, int.from_bytes(digest, "little") % self._dimension] += 1.0
            out[row, 0] += 0.01  # never the zero vector
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    def count_tokens(self, text: str) -> int:
        return len(TOKEN.findall(text))
