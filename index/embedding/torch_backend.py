"""The torch backend: sentence-transformers on the CPU, loaded on first use, never downloaded."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from index.embedding.model import ModelError, model_name, quiet_transformers, resolve_model

_LOADED: dict[str, Any] = {}  # location -> model: a process loads each model once


class SentenceEmbedder:
    """sentence-transformers on the CPU, loaded on first use and never from the network."""

    backend = "torch"

    def __init__(self, ref: str) -> None:
        self.ref = ref
        self.name = model_name(ref)
        self._model: Any = None

    @property
    def model(self) -> Any:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            location = str(resolve_model(self.ref))
            if location in _LOADED:
                self._model = _LOADED[location]
                return self._model
            quiet_transformers()
            try:
                self._model = _LOADED[location] = SentenceTransformer(
                    location, device="cpu", local_files_only=True
                )
            except (OSError, ValueError) as error:
                raise ModelError(
                    f"cannot load embedding model {location}: {error}. Models are never "
                    "downloaded: point EVIDENCE_MODEL at a local sentence-transformers folder"
                ) from error
        return self._model

    @property
    def dimension(self) -> int:
        model = self.model
        getter = getattr(model, "get_embedding_dimension", None)
        getter = getter or model.get_sentence_embedding_dimension
        return int(getter())

    @property
    def max_tokens(self) -> int:
        """Word pieces the model reads besides its two special tokens."""
        return int(self.model.max_seq_length) - 2

    def embed(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_passages(
        self,
        texts: Sequence[str],
        sentences: Sequence[Sequence[tuple[int, int]]],
        *,
        batch_size: int = 64,
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """One forward pass per batch gives the passage vectors and the token states to pool."""
        import torch

        from index.sentence_vectors import pool

        model = self.model
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        pooled: list[np.ndarray] = [out[:0]] * len(texts)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            features = model.tokenizer(
                [texts[i] for i in rows],
                padding=True,
                truncation=True,
                max_length=model.max_seq_length,
                return_offsets_mapping=True,
                return_tensors="pt",
            )
            offsets = features.pop("offset_mapping").numpy()
            with torch.no_grad():
                result = model.forward(dict(features))
            vectors = result["sentence_embedding"].numpy()
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            out[rows] = vectors / np.maximum(norms, 1e-12)
            hidden = result["token_embeddings"].numpy()
            for j, i in enumerate(rows):
                pooled[i] = pool(hidden[j], offsets[j], sentences[i])
        return out, pooled

    def count_tokens(self, text: str) -> int:
        encoded = self.model.tokenizer(text, add_special_tokens=False, verbose=False)
        return len(encoded["input_ids"])
