"""Making the ONNX files of a sentence-transformers model: exported here with torch, optionally
quantised to int8, and cached in a folder named after the model's files.

The export is made locally from the model folder (never downloaded) the first time it is needed;
after that a process loads only ONNX Runtime and the fast tokenizer (`onnx_backend`), never torch.

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
from pathlib import Path
from typing import Any

from index.embedding.model import ModelError, quiet_transformers, resolve_model

# Part of the export cache's name: a change to how the graph is made makes a new export.
EXPORT_FORMAT = "2"  # 2: eager attention, so ONNX Runtime fuses it and int8 covers it
WEIGHTS = ("model.safetensors", "pytorch_model.bin")
INPUTS = ("input_ids", "attention_mask", "token_type_ids")  # the graph's inputs, in order


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

    quiet_transformers()
    # A folder on disk, never the Hub (local_files_only): no revision to pin.
    config = AutoConfig.from_pretrained(location, local_files_only=True)  # nosec B615
    try:
        model = AutoModel.from_pretrained(  # nosec B615
            location, local_files_only=True, attn_implementation="eager"
        ).eval()
    except (TypeError, ValueError):  # an architecture without the eager choice: as it comes
        model = AutoModel.from_pretrained(location, local_files_only=True).eval()  # nosec B615

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


def model_shape(location: Path) -> tuple[int, str]:
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
