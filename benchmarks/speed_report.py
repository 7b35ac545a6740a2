"""The speed benchmark's printed table and the machine details stored beside its numbers."""

from __future__ import annotations

import os
import platform
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

Result = dict[str, Any]
Row = tuple[str, str]


def commit(repo: Path) -> str | None:
    """The checked-out commit, so numbers can be matched to code; None outside a git clone."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=repo, capture_output=True, text=True
        )
    except OSError:
        return None
    return done.stdout.strip() or None


# int8 matrix products are several times faster with VNNI than with AVX2 alone, so embedding
# ratios are only comparable between machines with the same features.
VECTOR_FEATURES = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_int8")


def cpu() -> Result:
    """The CPU's model name and the vector instruction sets that decide int8 and fp32 speed."""
    model, flags = platform.processor() or platform.machine(), set[str]()
    try:
        lines = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    for line in lines:
        key, _, value = line.partition(":")
        if key.strip() == "model name":
            model = value.strip()
        elif key.strip() == "flags":
            flags = set(value.split())
    return {"model": model, "features": [f for f in VECTOR_FEATURES if f in flags]}


def machine() -> Result:
    """What the numbers were measured on: CPUs, load, and the versions that matter for speed."""
    import faiss
    import numpy as np
    import sentence_transformers
    import torch

    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "torch_threads": torch.get_num_threads(),
        "load_average": os.getloadavg(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu": cpu(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "faiss": faiss.__version__,
        "sentence_transformers": sentence_transformers.__version__,
        "numpy": np.__version__,
    }


def _parsing(parsing: Result, chunking: Result) -> Iterator[Row]:
    yield "parse PDFs (load_file)", f"{parsing['pages_per_s']:.1f} pages/s"
    yield (
        "  files / pages / seconds",
        f"{parsing['files']} / {parsing['pages']} / {parsing['seconds']:.1f}",
    )
    for slow in parsing["per_file"][:3]:
        yield f"  slow: {slow['file']}", f"{slow['seconds']:.1f} s, {slow['pages']} pages"
    yield "  rejected", str(len(parsing["rejected"]))
    for rejected in parsing["rejected"]:
        yield f"    {rejected['file']}", rejected["reason"]
    yield "chunk (model count_tokens)", f"{chunking['chunks_per_s']:.1f} chunks/s"
    yield "  chunks / seconds", f"{chunking['chunks']} / {chunking['seconds']:.1f}"


def _embedding(model: Result, embedding: Result) -> Iterator[Row]:
    yield (
        "model import / load",
        f"{model['import_seconds']:.1f} s / {model['load_seconds']:.1f} s "
        f"(torch threads {model['torch_threads']})",
    )
    yield f"embed (batch {embedding['batch_size']})", f"{embedding['chunks_per_s']:.1f} chunks/s"
    yield "  chunks / seconds", f"{embedding['chunks']} / {embedding['seconds']:.1f}"


def _ingestion(ingestion: Result, top_up: Result) -> Iterator[Row]:
    yield (
        "ingest corpus (fresh SQLite)",
        f"{ingestion['documents_per_min']:.1f} docs/min, "
        f"{ingestion['pages_per_min']:.0f} pages/min",
    )
    yield (
        "  files / added / failed",
        f"{ingestion['files']} / {ingestion['added']} / {ingestion['failed']}",
    )
    for failure in ingestion["failures"]:
        yield f"    {failure['file']}", failure["reason"]
    yield (
        "  pages / chunks / seconds",
        f"{ingestion['pages']} / {ingestion['chunks']} / {ingestion['seconds']:.1f}",
    )
    if top_up.get("seconds"):
        yield (
            "ingest SciFact top-up",
            f"{top_up['abstracts']} abstracts, {top_up['chunks']} chunks, "
            f"{top_up['seconds']:.1f} s ({top_up['chunks_per_s']:.1f} chunks/s)",
        )


def _ask(ask: Result) -> Iterator[Row]:
    yield (
        f"ask, {ask['torch_threads']} torch thread(s)",
        f"{ask['library_chunks']} chunks (index opened in {ask['index_open_seconds']:.2f} s)",
    )
    answered = ask["answered"]
    asked = ask["asked"]
    yield (
        "  questions",
        f"{ask['questions']} (+{ask['warm_up']} warm-up); answered "
        f"{answered['scifact']}/{asked['scifact']} SciFact, "
        f"{answered['social_care']}/{asked['social_care']} social care "
        f"(min score {ask['min_score']})",
    )
    for key, name in (
        ("search", "search ms"),
        ("search_and_compose", "search + compose ms"),
        ("compose", "compose alone ms"),
    ):
        numbers = ask[key]
        yield (
            f"  {name}",
            f"p50 {numbers['p50_ms']:.0f}, p95 {numbers['p95_ms']:.0f}, "
            f"mean {numbers['mean_ms']:.0f}, max {numbers['max_ms']:.0f}",
        )


def table(results: Result) -> str:
    """The numbers, one per line, with the load the machine was under."""
    rows = [
        *_parsing(results["parsing"], results["chunking"]),
        *_embedding(results["model"], results["embedding"]),
        *_ingestion(results["ingestion"], results["top_up"]),
        *_ask(results["ask"]),
        *(_ask(results["ask_one_thread"]) if "ask_one_thread" in results else ()),
    ]
    info = results["machine"]
    load = " → ".join(
        "/".join(f"{x:.1f}" for x in info[key]) for key in ("load_average_before", "load_average")
    )
    rows.append(("load average (1/5/15 min)", f"{load} on {info['cpus_usable']} CPUs"))
    rows.append(("total", f"{results['total_seconds'] / 60:.1f} min"))
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)
