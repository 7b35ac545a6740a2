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
        return self._vectors(texts)

    def _vectors(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.casefold()):
                digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
                out[row, int.from_bytes(digest, "little") % self._dimension] += 1.0
            out[row, 0] += 0.01  # never the zero vector
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    def embed_passages(
        self,
        texts: Sequence[str],
        sentences: Sequence[Sequence[tuple[int, int]]],
        *,
        batch_size: int = 64,
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Like the real models, one pass per passage: sentences are not counted as embedded."""
        pieces = [
            self._vectors([text[a:b] for a, b in spans])
            for text, spans in zip(texts, sentences, strict=True)
        ]
        return self.embed(texts), pieces

    def count_tokens(self, text: str) -> int:
        return len(TOKEN.findall(text))
