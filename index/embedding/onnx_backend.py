"""The ONNX backends: the exported graph run by ONNX Runtime, fp32 or int8, without torch."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.embedding.model import ModelError, model_name
from index.embedding.onnx_export import ensure_export, model_folder, model_shape
from index.sentence_vectors import pool

# Texts are sorted by length first, so padding is small whatever the batch size; on two AVX2
# cores batches of 8 ran int8 passages about 40% faster than batches of 32 or 64 (cache-sized).
BATCH = 8

_SESSIONS: dict[str, tuple[Any, Any, Any]] = {}  # onnx file -> (session, tokenizer, counter)


class OnnxEmbedder:
    """A sentence-transformers folder run by ONNX Runtime, fp32 or int8, without torch.

    Example:
        >>> embedder = OnnxEmbedder("bundled:all-MiniLM-L6-v2", cache=Path("models"))
        >>> embedder.embed(["kinship care"]).shape
        (1, 384)
    """

    def __init__(
        self, ref: str, *, cache: Path, quantised: bool = True, threads: int | None = None
    ) -> None:
        self.ref = ref
        self.name = model_name(ref)
        self.backend = "onnx-int8" if quantised else "onnx"
        self.cache = cache
        self.quantised = quantised
        self.threads = threads
        self._loaded: tuple[Any, Any, Any] | None = None
        self._pooling = "mean"
        self._max_length = 256

    def _load(self) -> tuple[Any, Any, Any]:
        if self._loaded is not None:
            return self._loaded
        location = model_folder(self.ref)
        self._max_length, self._pooling = model_shape(location)
        onnx_file = ensure_export(location, self.cache, quantised=self.quantised)
        key = f"{onnx_file}:{self.threads}"
        if key not in _SESSIONS:
            import onnxruntime
            from tokenizers import Tokenizer

            options = onnxruntime.SessionOptions()
            if self.threads:
                options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
            try:
                session = onnxruntime.InferenceSession(
                    str(onnx_file), options, providers=["CPUExecutionProvider"]
                )
                batcher = Tokenizer.from_file(str(location / "tokenizer.json"))
                counter = Tokenizer.from_file(str(location / "tokenizer.json"))
            except Exception as error:
                raise ModelError(f"cannot load the ONNX model {onnx_file}: {error}") from error
            batcher.enable_truncation(self._max_length)
            batcher.enable_padding()
            counter.no_truncation()
            counter.no_padding()
            _SESSIONS[key] = (session, batcher, counter)
        self._loaded = _SESSIONS[key]
        return self._loaded

    @property
    def dimension(self) -> int:
        session = self._load()[0]
        return int(session.get_outputs()[0].shape[-1])

    @property
    def max_tokens(self) -> int:
        self._load()
        return self._max_length - 2

    def embed(self, texts: Sequence[str], *, batch_size: int = BATCH) -> np.ndarray:
        return self._run(texts, None, batch_size)[0]

    def embed_passages(
        self,
        texts: Sequence[str],
        sentences: Sequence[Sequence[tuple[int, int]]],
        *,
        batch_size: int = BATCH,
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Passage vectors, and for each passage its sentences' vectors from the same pass."""
        return self._run(texts, sentences, batch_size)

    def _run(
        self,
        texts: Sequence[str],
        sentences: Sequence[Sequence[tuple[int, int]]] | None,
        batch_size: int,
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        session, batcher, _ = self._load()
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        pooled: list[np.ndarray] = [out[:0]] * len(texts)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            encoded = batcher.encode_batch([texts[i] for i in rows])
            ids = np.asarray([e.ids for e in encoded], dtype=np.int64)
            mask = np.asarray([e.attention_mask for e in encoded], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            hidden = session.run(None, feed)[0]
            if self._pooling == "cls":
                vectors = hidden[:, 0]
            else:
                weights = mask[:, :, None].astype(np.float32)
                vectors = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            out[rows] = vectors / np.maximum(norms, 1e-12)
            if sentences is not None:
                for j, i in enumerate(rows):
                    offsets = np.asarray(encoded[j].offsets, dtype=np.int64)
                    pooled[i] = pool(hidden[j], offsets, sentences[i])
        return out, pooled

    def count_tokens(self, text: str) -> int:
        counter = self._load()[2]
        return len(counter.encode(text, add_special_tokens=False).ids)
