"""The same sentence-transformers model run by ONNX Runtime: exported here, optionally int8.

The export is made locally from the model folder (never downloaded) the first time it is needed,
with torch, and cached in a folder named after the model's files; after that a process loads only
ONNX Runtime and the fast tokenizer, never torch, so a bot starts in about a second.

Why not sentence-transformers' own `backend="onnx"`: it needs optimum-onnx, whose only release
pins transformers below 4.58, while sentence-transformers 6 needs transformers 5. The graph, the
tokenizer (the model's own `tokenizer.json`) and the pooling are the same, so fp32 vectors match
the torch ones to 1e-6.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.embedder import ModelError, model_name, resolve_model
from index.sentence_vectors import pool

# Texts are sorted by length first, so padding is small whatever the batch size; on two AVX2
# cores batches of 8 ran int8 passages about 40% faster than batches of 32 or 64 (cache-sized).
BATCH = 8
# Part of the export cache's name: a change to how the graph is made makes a new export.
EXPORT_FORMAT = "2"  # 2: eager attention, so ONNX Runtime fuses it and int8 covers it
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
WEIGHTS = ("model.safetensors", "pytorch_model.bin")

_SESSIONS: dict[str, tuple[Any, Any, Any]] = {}  # onnx file -> (session, tokenizer, counter)


def model_folder(ref: str) -> Path:
    """The local sentence-transformers folder of a model setting; ONNX needs one on disk."""
    location = resolve_model(ref)
    if not isinstance(location, Path):
        raise ModelError(
            f"the ONNX backends need a local model folder, not {ref!r}: set EVIDENCE_MODEL to a "
            "sentence-transformers folder, or EVIDENCE_EMBEDDING_BACKEND=torch"
        )
    return location


def export_folder(location: Path, cache: Path) -> Path:
    """Where this model's exports live: named by the model and a digest of its files."""
    digest = hashlib.sha256(f"export {EXPORT_FORMAT}".encode())
    for name in ("config.json", "tokenizer.json", "sentence_bert_config.json", *WEIGHTS):
        path = location / name
        if path.exists():
            stat = path.stat()
            digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return cache / f"{location.name}-onnx-{digest.hexdigest()[:12]}"


def ensure_export(location: Path, cache: Path, *, quantised: bool) -> Path:
    """The ONNX file for this model, exporting (and quantising) it first if it is not cached.

    One process exports while others wait on a lock file; files appear by atomic rename.
    """
    folder = export_folder(location, cache)
    target = folder / ("model_int8.onnx" if quantised else "model.onnx")
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".export.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        fp32 = folder / "model.onnx"
        if not fp32.exists():
            _export(location, fp32)
        if quantised and not target.exists():
            _quantise(fp32, target)
    return target


def _export(location: Path, target: Path) -> None:
    """torch -> ONNX with dynamic batch and sequence axes, then ONNX Runtime's BERT fusions.

    The model is traced with eager attention: the SDPA graph transformers exports by default has
    NaN guards that ONNX Runtime's fuser does not recognise, which leaves attention as a dozen
    small fp32 operators; eager attention fuses into one Attention operator per layer, and int8
    then covers its projections too. Same vectors, about 1.5x faster in fp32.
    """
    import torch
    from onnxruntime.transformers.optimizer import optimize_model
    from transformers import AutoConfig, AutoModel

    config = AutoConfig.from_pretrained(location, local_files_only=True)
    try:
        model = AutoModel.from_pretrained(
            location, local_files_only=True, attn_implementation="eager"
        ).eval()
    except (TypeError, ValueError):  # an architecture without the eager choice: as it comes
        model = AutoModel.from_pretrained(location, local_files_only=True).eval()

    class Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    example = tuple(torch.ones(2, 8, dtype=torch.long) for _ in INPUTS)
    raw = target.with_name(f".raw-{os.getpid()}.onnx")
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "hidden")}
    try:
        # The tracer warns about Python branches on shapes: they are fixed for this graph.
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Hidden(),
                example,
                str(raw),
                input_names=list(INPUTS),
                output_names=["hidden"],
                dynamic_axes=axes,
                opset_version=17,
                dynamo=False,
            )
        fused = optimize_model(
            str(raw),
            model_type="bert",
            num_heads=int(config.num_attention_heads),
            hidden_size=int(config.hidden_size),
            opt_level=1,
        )
        partial = target.with_name(f".{target.name}.{os.getpid()}")
        fused.save_model_to_file(str(partial))
        partial.rename(target)
    except Exception as error:
        message = f"could not export {location} to ONNX in {target.parent}: {error}"
        raise ModelError(message) from error
    finally:
        raw.unlink(missing_ok=True)


def _quantise(source: Path, target: Path) -> None:
    """Dynamic int8: weights of every MatMul and fused Attention per output channel, activations
    quantised at run time."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    partial = target.with_name(f".{target.name}.{os.getpid()}")
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # it advises pre-processing, which changes nothing here
    try:
        quantize_dynamic(
            str(source),
            str(partial),
            per_channel=True,
            op_types_to_quantize=["MatMul", "Attention"],
            weight_type=QuantType.QInt8,
            # Fused Attention ops hide their output types from shape inference: they are float.
            extra_options={"DefaultTensorType": 1},
        )
    finally:
        root.setLevel(level)
    partial.rename(target)


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
        self._max_length, self._pooling = _model_shape(location)
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


def _model_shape(location: Path) -> tuple[int, str]:
    """The model's maximum sequence length and pooling, from its sentence-transformers files."""
    max_length = 256
    config = location / "sentence_bert_config.json"
    if config.exists():
        max_length = int(json.loads(config.read_text(encoding="utf-8")).get("max_seq_length", 256))
    pooling = "mean"
    pooling_config = location / "1_Pooling" / "config.json"
    if pooling_config.exists():
        modes = json.loads(pooling_config.read_text(encoding="utf-8"))
        if modes.get("pooling_mode_cls_token"):
            pooling = "cls"
        elif not modes.get("pooling_mode_mean_tokens", True):
            raise ModelError(f"{pooling_config}: only mean or CLS pooling runs on ONNX here")
    return max_length, pooling
