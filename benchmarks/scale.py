"""Scale benchmark: libraries of 10k, 100k and 1M passages, every figure beside its plain baseline.

Run from the repository root: `python -m benchmarks.scale` (`--sizes 10k,100k` for a shorter run).
Prints a table and writes JSON (default `bench-results/scale.json`).

- 10k: real text. SciFact abstracts (one text file each) and `../shared/corpus` go through
  `ingest()`; ingestion pages/s and passages/s, then a re-ingest of the unchanged library.
- Embedding: real passages of that library through sentence-transformers with default settings
  (torch, batch 32) and through the configured backend, interleaved so load drifts hit both.
- 100k and 1M: the 10k library's real documents repeated with variation. Copy k of passage i keeps
  its text and gets the embedding normalise(e_i + 0.3 u e_j + 0.15 g) (u uniform in [0, 1), e_j
  another real passage, g Gaussian of norm about 1), so the vectors form dense clouds around real
  ones: harder for approximate search than spread-out data, and judged by real questions.
- Retrieval: the index `index.vectors` chooses against an exact FAISS flat index over the same
  vectors: build time, p50/p95/p99 latency, recall@10 of the first against the second, memory.
- Whole ask: `Library.search` plus `compose_answer` with the configured backend and chosen index,
  against torch plus the flat index, over the same catalog, question by question, taking turns
  at going first.
- Embedding: median of `--embed-rounds` interleaved rounds; the CPU's vector features (AVX2,
  AVX-512, VNNI) are recorded beside it, since int8 gains far more where VNNI is present.
- Cold start: `evidence ask` in a new process to its answer, configured backend against torch.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.speed_report import commit, cpu

REPO = Path(__file__).resolve().parents[1]
SCIFACT = REPO.parent / "shared" / "bench" / "scifact"
CORPUS = REPO.parent / "shared" / "corpus"
QUESTIONS = REPO / "benchmarks" / "social_care_questions.txt"
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
SEED = 20240521
Result = dict[str, Any]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentiles(seconds: Sequence[float]) -> Result:
    ms = np.asarray(seconds) * 1000
    return {f"p{p}": float(np.percentile(ms, p)) for p in (50, 95, 99)}


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def questions(count: int) -> list[str]:
    asked = [q.strip() for q in QUESTIONS.read_text().splitlines() if q.strip()]
    with open(SCIFACT / "queries.jsonl") as lines:
        asked += [json.loads(line)["text"] for line in lines]
    return asked[:count]


def timed(run: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    value = run()
    return value, time.perf_counter() - started


# -- 10k: real ingestion -------------------------------------------------------------------------


def ingest_real(settings: Any, embedder: Any, work: Path, scifact_docs: int | None) -> Result:
    from evaluation.retrieval import read_beir, write_corpus
    from index.library import Library
    from ingest.job import ingest

    corpus, _, _ = read_beir(SCIFACT, "train")
    if scifact_docs:
        corpus = dict(list(corpus.items())[:scifact_docs])
    folder = work / "scifact-documents"
    write_corpus(corpus, folder)
    paths = [folder, CORPUS]
    library = Library(settings, embedder)
    _report, seconds = timed(lambda: ingest(library, paths))
    counts = library.catalog.counts()
    log(f"ingested {counts['chunks']} passages in {seconds:.0f} s")
    again, again_seconds = timed(lambda: ingest(library, paths))
    files = len(again.outcomes)
    return {
        "documents": counts["documents"],
        "pages": counts["pages"],
        "passages": counts["chunks"],
        "seconds": seconds,
        "pages_per_s": counts["pages"] / seconds,
        "passages_per_s": counts["chunks"] / seconds,
        "reingest_unchanged_seconds": again_seconds,
        "reingest_files": files,
        "reingest_seconds_per_1000_documents": again_seconds / files * 1000,
        "reingest_embedded": again.embedded_chunks,
    }


def embedding_speed(library: Any, embedder: Any, sample: int, rounds: int) -> Result:
    """Default sentence-transformers against the configured backend on the same real passages.

    Each round times the baseline then ours on every sampled passage, so a load spike hits both;
    the ratio reported is the median of the rounds' ratios.
    """
    from sentence_transformers import SentenceTransformer

    from index.embedding import resolve_model

    ids = library.catalog.chunk_ids([d.id for d in library.catalog.documents()])
    chosen = np.random.default_rng(SEED).choice(ids, size=min(sample, len(ids)), replace=False)
    texts = [chunk.text for chunk, _ in library.catalog.chunks(list(chosen))]
    plain = SentenceTransformer(str(resolve_model(library.settings.model)), device="cpu")
    plain.encode(texts[:4])
    embedder.embed(texts[:4])
    baseline, ours = [], []
    for _ in range(max(rounds, 1)):
        baseline.append(len(texts) / timed(lambda: plain.encode(texts))[1])
        ours.append(len(texts) / timed(lambda: embedder.embed(texts))[1])
    ratios = [o / b for o, b in zip(ours, baseline, strict=True)]
    tokens = [embedder.count_tokens(t) for t in texts]
    return {
        "passages": len(texts),
        "mean_word_pieces": float(np.mean(tokens)),
        "rounds": len(ratios),
        "baseline_passages_per_s": float(np.median(baseline)),
        "ours_passages_per_s": float(np.median(ours)),
        "ratio": float(np.median(ratios)),
        "round_ratios": ratios,
    }


# -- 100k and 1M: real passages repeated with variation ------------------------------------------


def grow_library(library: Any, real_ids: np.ndarray, real: np.ndarray, target: int) -> None:
    """Copy real documents with perturbed embeddings until the catalog holds `target` passages."""
    from sqlalchemy import insert, select
    from sqlalchemy.orm import undefer

    from index.tables import ACTIVE, ChunkRow, DocumentRow, PageRow

    rng = np.random.default_rng(SEED)
    catalog = library.catalog
    row_of = {int(i): n for n, i in enumerate(real_ids)}
    with catalog.session() as session:
        documents = list(session.scalars(select(DocumentRow).order_by(DocumentRow.id)))
        pages = list(session.scalars(select(PageRow)))
        chunks = list(
            session.scalars(
                select(ChunkRow).options(undefer(ChunkRow.sentence_vectors)).order_by(ChunkRow.id)
            )
        )
    columns = [c.key for c in DocumentRow.__table__.columns if c.key != "id"]
    total, copy = len(real_ids), 0
    while total < target:
        copy += 1
        wanted = chunks[: target - total]
        base = real[[row_of[c.id] for c in wanted]]
        other = real[rng.integers(len(real), size=len(wanted))]
        noise = rng.standard_normal(base.shape).astype(np.float32) / np.sqrt(base.shape[1])
        mixed = base + 0.3 * rng.random((len(wanted), 1)).astype(np.float32) * other
        mixed += 0.15 * noise
        mixed /= np.linalg.norm(mixed, axis=1, keepdims=True)
        keep = {c.document_id for c in wanted}
        with catalog.session() as session:
            fields = []
            for doc in documents:
                if doc.id in keep:
                    values = {key: getattr(doc, key) for key in columns}
                    values.update(source=f"{doc.source}#copy{copy}", state=ACTIVE, run_id=None)
                    fields.append(values)
            made = session.execute(
                insert(DocumentRow).returning(DocumentRow.id, sort_by_parameter_order=True),
                fields,
            )
            copied = [d.id for d in documents if d.id in keep]
            new_id = dict(zip(copied, made.scalars(), strict=True))
            session.execute(
                insert(PageRow),
                [
                    {"document_id": new_id[p.document_id], "number": p.number, "text": p.text}
                    for p in pages
                    if p.document_id in keep
                ],
            )
            session.execute(
                insert(ChunkRow),
                [
                    {
                        "document_id": new_id[c.document_id],
                        "ordinal": c.ordinal,
                        "text": c.text,
                        "spans": c.spans,
                        "heading_path": c.heading_path,
                        "token_count": c.token_count,
                        "page_start": c.page_start,
                        "page_end": c.page_end,
                        "embedding": mixed[n].tobytes(),
                        "sentence_vectors": c.sentence_vectors,
                    }
                    for n, c in enumerate(wanted)
                ],
            )
        total += len(wanted)
        log(f"catalog holds {total} passages")


def publish_all(library: Any) -> Result:
    """A fresh index version of the whole catalog through the library's own publish."""
    catalog = library.catalog
    ids = [d.id for d in catalog.documents()]
    with catalog.session() as session:
        from sqlalchemy import update

        from index.tables import STAGED, DocumentRow

        session.execute(update(DocumentRow).values(state=STAGED))  # every document here
    shutil.rmtree(library.index_root, ignore_errors=True)
    row = catalog.library()
    with catalog.session() as session:
        from index.tables import LibraryRow

        session.get_one(LibraryRow, 1).index_version = 0
    assert row is not None
    version, seconds = timed(lambda: library.publish(ids, []))
    return {"version": version, "publish_seconds": seconds}


def retrieval(library: Any, embedder: Any, asked: Sequence[str], k: int = 10) -> Result:
    """The chosen index against exact flat search over the same vectors."""
    import faiss

    from index.store import VECTORS, version_dir
    from index.vectors import VectorIndex

    catalog = library.catalog
    ids, matrix = catalog.embeddings([d.id for d in catalog.documents()], embedder.dimension)
    before = rss_mb()
    flat, flat_build = timed(lambda: _flat(ids, matrix))
    flat_mb = rss_mb() - before
    before = rss_mb()
    chosen, build = timed(lambda: VectorIndex.build(ids, matrix, embedder.dimension))
    chosen_mb = rss_mb() - before
    queries = embedder.embed(list(asked))
    exact, approximate, t_exact, t_ours = [], [], [], []
    for query in queries:
        found, seconds = timed(partial(flat.search, query, k, None))
        exact.append({i for i, _ in found})
        t_exact.append(seconds)
        found, seconds = timed(partial(chosen.search, query, k, None))
        approximate.append({i for i, _ in found})
        t_ours.append(seconds)
    pairs = zip(approximate, exact, strict=True)
    recall = float(np.mean([len(a & e) / max(len(e), 1) for a, e in pairs]))
    version = library.current()
    folder = version_dir(library.index_root, version.version)
    return {
        "passages": len(ids),
        "index": chosen.describe(),
        "baseline_build_seconds": flat_build,
        "build_seconds": build,
        "baseline_latency_ms": percentiles(t_exact),
        "latency_ms": percentiles(t_ours),
        "recall_at_10": recall,
        "baseline_vectors_mb": flat_mb,
        "vectors_mb": chosen_mb,
        "baseline_vectors_bytes": len(faiss.serialize_index(flat)),
        "vectors_bytes": len(faiss.serialize_index(chosen)),
        "vectors_file_bytes": (folder / VECTORS).stat().st_size,
        "index_folder_bytes": sum(p.stat().st_size for p in folder.iterdir()),
    }


def _flat(ids: np.ndarray, matrix: np.ndarray) -> Any:
    """The baseline: an exact flat index over the same vectors, whatever the library's size."""
    import faiss

    from index.vectors import VectorIndex

    flat = VectorIndex(faiss.IndexIDMap2(faiss.IndexFlatIP(matrix.shape[1])))
    flat.add(ids, matrix)
    return flat


def whole_ask(library: Any, baseline: Any, asked: Sequence[str]) -> Result:
    """The bot's whole answer (search + quotes): configured backend and chosen index, against
    torch and flat over the same catalog.

    The two are timed question by question, taking turns at going first, so neither gets the
    caches the other warmed (the catalog's pages, the sentence vectors) more often.
    """
    from bot.answering import Answerer

    version = library.current()
    catalog = library.catalog
    ids, matrix = catalog.embeddings([d.id for d in catalog.documents()], version.vectors.dimension)
    answerers = (Answerer(library, 0.52), Answerer(baseline, 0.52))
    seconds: tuple[list[float], list[float]] = ([], [])
    with baseline.pinned(replace(version, vectors=_flat(ids, matrix))):
        for question in asked[:3]:
            for answerer in answerers:
                answerer.answer(question)
        for n, question in enumerate(asked):
            for side in (n % 2, 1 - n % 2):
                started = time.perf_counter()
                answerers[side].answer(question)
                seconds[side].append(time.perf_counter() - started)
    return {"latency_ms": percentiles(seconds[0]), "baseline_latency_ms": percentiles(seconds[1])}


def cold_start(home: Path, cache: Path, backend: str, question: str) -> float:
    environ = {
        **os.environ,
        "EVIDENCE_EMBEDDING_BACKEND": backend,
        "EVIDENCE_MODEL_CACHE": str(cache),
        "HF_HUB_OFFLINE": "1",
    }
    command = [sys.executable, "-m", "evidence", "--home", str(home), "ask", question]
    started = time.perf_counter()
    subprocess.run(command, env=environ, cwd=REPO, check=True, capture_output=True)
    return time.perf_counter() - started


# -- the run ------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k,1m", help="comma-separated: 10k, 100k, 1m")
    parser.add_argument("--work", type=Path, default=REPO / "bench-results" / "scale-work")
    parser.add_argument("--out", type=Path, default=REPO / "bench-results" / "scale.json")
    parser.add_argument("--backend", default="onnx-int8", choices=("torch", "onnx", "onnx-int8"))
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--embed-sample", type=int, default=512)
    parser.add_argument("--embed-rounds", type=int, default=3, help="timed passes of each")
    parser.add_argument("--scifact-docs", type=int, default=None, help="fewer abstracts (smoke)")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sizes = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]

    from index.embedding import load_embedder
    from index.embedding.torch_backend import SentenceEmbedder
    from index.library import Library
    from index.settings import Settings

    args.work.mkdir(parents=True, exist_ok=True)
    cache = args.work / "models"
    real_home = args.work / "real"
    settings = Settings(home=real_home, embedding_backend=args.backend, model_cache=cache)
    embedder = load_embedder(settings)
    (_, load_seconds) = timed(lambda: embedder.embed(["warm up"]))
    results: Result = {
        "machine": {
            "cpus": os.cpu_count(),
            "cpu": cpu(),
            "load_average_start": os.getloadavg(),
            "commit": commit(REPO),
        },
        "backend": args.backend,
        "model_load_seconds": load_seconds,
        "sizes": {},
    }
    asked = questions(args.questions)
    library = Library(settings, embedder)
    if not (real_home / "ingested.json").exists():
        shutil.rmtree(real_home, ignore_errors=True)
        library = Library(settings, embedder)
        ingestion = ingest_real(settings, embedder, args.work, args.scifact_docs)
        (real_home / "ingested.json").write_text(json.dumps(ingestion))
    results["ingestion"] = json.loads((real_home / "ingested.json").read_text())
    log("embedding speed")
    results["embedding"] = embedding_speed(library, embedder, args.embed_sample, args.embed_rounds)
    real_ids, real = library.catalog.embeddings(
        [d.id for d in library.catalog.documents()], embedder.dimension
    )
    torch_embedder = SentenceEmbedder(settings.model)
    for name in sizes:
        target = SIZES[name]
        log(f"library of {name} passages")
        home = args.work / name
        if name == "10k":
            size_settings = settings
        else:
            shutil.rmtree(home, ignore_errors=True)
            shutil.copytree(real_home, home)
            size_settings = settings.model_copy(update={"home": home})
        sized = Library(size_settings, embedder)
        if name != "10k":
            grow_library(sized, real_ids, real, target)
            results["sizes"][name] = publish_all(sized)
        else:
            results["sizes"][name] = {}
        entry = results["sizes"][name]
        entry.update(retrieval(sized, embedder, asked))
        log(f"{name}: {entry['index']} recall@10 {entry['recall_at_10']:.3f}")
        baseline = Library(size_settings, torch_embedder)
        before = rss_mb()
        entry["ask"] = whole_ask(sized, baseline, asked)
        entry["ask"]["rss_mb"] = rss_mb()
        entry["ask"]["rss_growth_mb"] = rss_mb() - before
        place = home if name != "10k" else real_home
        entry["cold_start_seconds"] = cold_start(place, cache, args.backend, asked[0])
        entry["baseline_cold_start_seconds"] = cold_start(place, cache, "torch", asked[0])
        entry["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2))
    results["machine"]["load_average_end"] = os.getloadavg()
    args.out.write_text(json.dumps(results, indent=2))
    print(table(results))
    return 0


def table(results: Result) -> str:
    """Markdown: each figure beside its baseline, with the ratio."""

    def row(what: str, ours: float, base: float, unit: str, better: str = "higher") -> str:
        ratio = ours / base if better == "higher" else base / ours
        return f"| {what} | {ours:,.1f} {unit} | {base:,.1f} {unit} | {ratio:.2f}x |"

    lines = ["| what | this build | baseline | ratio (x better) |", "|---|---|---|---|"]
    embedding = results["embedding"]
    features = "/".join(results["machine"]["cpu"]["features"]) or "no AVX2"
    rounds = ", ".join(f"{r:.2f}" for r in embedding["round_ratios"])
    lines.append(
        f"| embedding, passages/s (median of {embedding['rounds']} rounds; CPU: {features}) | "
        f"{embedding['ours_passages_per_s']:.1f} | {embedding['baseline_passages_per_s']:.1f} | "
        f"{embedding['ratio']:.2f}x (rounds {rounds}) |"
    )
    ingestion = results["ingestion"]
    lines.append(
        f"| ingestion ({ingestion['documents']} documents) | {ingestion['pages_per_s']:.1f} "
        f"pages/s, {ingestion['passages_per_s']:.1f} passages/s | | |"
    )
    lines.append(
        f"| re-ingest unchanged, per 1,000 documents | "
        f"{ingestion['reingest_seconds_per_1000_documents']:.1f} s, "
        f"{ingestion['reingest_embedded']} embedded | | |"
    )
    for name, entry in results["sizes"].items():
        n = f"{entry['passages']:,}"
        lines.append(f"| {name}: index | {entry['index']['kind']} | flat | |")
        lines.append(
            row(
                f"{n}: index build, s",
                entry["build_seconds"],
                entry["baseline_build_seconds"],
                "s",
                "lower",
            )
        )
        for p in ("p50", "p95", "p99"):
            lines.append(
                row(
                    f"{n}: retrieval {p}, ms",
                    entry["latency_ms"][p],
                    entry["baseline_latency_ms"][p],
                    "ms",
                    "lower",
                )
            )
        lines.append(f"| {n}: recall@10 against exact | {entry['recall_at_10']:.3f} | 1.000 | |")
        lines.append(
            row(
                f"{n}: vector memory, MB",
                entry["vectors_bytes"] / 2**20,
                entry["baseline_vectors_bytes"] / 2**20,
                "MB",
                "lower",
            )
        )
        lines.append(
            f"| {n}: index folder on disk | {entry['index_folder_bytes'] / 2**20:,.0f} MB | | |"
        )
        for p in ("p50", "p95", "p99"):
            lines.append(
                row(
                    f"{n}: whole ask {p}, ms",
                    entry["ask"]["latency_ms"][p],
                    entry["ask"]["baseline_latency_ms"][p],
                    "ms",
                    "lower",
                )
            )
        lines.append(
            row(
                f"{n}: cold start to first answer, s",
                entry["cold_start_seconds"],
                entry["baseline_cold_start_seconds"],
                "s",
                "lower",
            )
        )
        lines.append(f"| {n}: benchmark process peak RSS | {entry['max_rss_mb']:,.0f} MB | | |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
