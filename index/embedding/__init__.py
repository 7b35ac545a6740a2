"""Embedding models: one protocol, three backends, and the factory that picks one.

`model` holds what every backend shares; `torch_backend` runs sentence-transformers,
`onnx_export` makes the ONNX files and `onnx_backend` runs them. The factory imports a backend
only inside its own branch, so choosing ONNX never imports torch, and no backend imports the
factory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from index.embedding.model import (
    BACKENDS,
    Embedder,
    ModelError,
    check_same_model,
    model_name,
    probe_vector,
    resolve_model,
)

if TYPE_CHECKING:
    from index.settings import Settings

__all__ = [
    "BACKENDS",
    "Embedder",
    "ModelError",
    "check_same_model",
    "load_embedder",
    "model_name",
    "probe_vector",
    "resolve_model",
]


def load_embedder(settings: Settings) -> Embedder:
    """The model of `settings` on the configured backend; nothing is loaded until first use."""
    if settings.embedding_backend == "torch":
        from index.embedding.torch_backend import SentenceEmbedder

        return SentenceEmbedder(settings.model)
    from index.embedding.onnx_backend import OnnxEmbedder

    return OnnxEmbedder(
        settings.model,
        cache=settings.model_cache_dir,
        quantised=settings.embedding_backend == "onnx-int8",
    )
