"""Speed benchmark: parsing, chunking, embedding, ingestion and ask latency on this machine.

Run from the repository root: `python -m benchmarks.speed` (or `--quick` for a smoke run).
It prints a table and writes every number, with the machine's details, to a JSON file.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.speed_report import commit, machine, table
from bot.answer import compose_answer
from index.embedding.torch_backend import SentenceEmbedder
from index.library import Library
from index.records import Filters
from index.settings import DEFAULT_MODEL, Settings
from ingest.chunking import chunk_blocks
from ingest.job import ADDED, FAILED, ingest
from ingest.loaded import LoadedDocument, RejectedFile
from ingest.loading import load_file
from ingest.settings import IngestSettings

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
DEFAULT_SCIFACT = REPO.parent / "shared" / "bench" / "scifact"
SOCIAL_CARE_QUESTIONS = Path(__file__).resolve().parent / "social_care_questions.txt"
MIN_CHUNKS = 10_000
QUESTIONS = 100  # SciFact claims and social-care questions together
WARM_UP = 3
SEED = 20240521
QUICK_PDFS = 5  # the smallest: they include the image-only and right-to-left robustness files
QUICK_EMBED = 256
QUICK_QUESTIONS = 20
QUICK_MIN_CHUNKS = 600

Result = dict[str, Any]

INGEST = IngestSettings()  # what `ingest()` uses unless told otherwise


@dataclass(frozen=True)
class Stage:
    """The loaded model with the settings the ingestion job chunks by."""

    settings: Settings
    embedder: SentenceEmbedder

    def chunk_count(self, document: LoadedDocument) -> int:
        return len(self.chunk(document))

    def chunk(self, document: LoadedDocument) -> tuple[Any, ...]:
        """Chunks exactly as `ingest()` cuts them."""
        return chunk_blocks(
            document.pages,
            document.blocks,
            self.embedder.count_tokens,
            target_tokens=INGEST.chunk_tokens,
            max_tokens=self.embedder.max_tokens,
            overlap_tokens=INGEST.chunk_overlap,
        )


def log(message: str) -> None:
    """Progress on stderr, so that stdout holds only the table."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def per_second(count: float, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("nan")


def corpus_pdfs(corpus: Path, quick: bool) -> list[Path]:
    pdfs = sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")
    if quick:
        pdfs = sorted(pdfs, key=lambda p: (p.stat().st_size, p))[:QUICK_PDFS]
    return pdfs


def parse_pdfs(pdfs: Sequence[Path], max_bytes: int) -> tuple[list[LoadedDocument], Result]:
    """Time `load_file` on each PDF: pages per second over the files that parse."""
    loaded: list[LoadedDocument] = []
    files: list[Result] = []
    rejected: list[Result] = []
    total = 0.0
    for path in pdfs:
        started = time.perf_counter()
        try:
            document = load_file(path, max_bytes)
        except RejectedFile as error:
            seconds = time.perf_counter() - started
            rejected.append({"file": path.name, "reason": error.reason, "seconds": seconds})
        else:
            seconds = time.perf_counter() - started
            loaded.append(document)
            files.append({"file": path.name, "pages": len(document.pages), "seconds": seconds})
        total += seconds
    pages = sum(f["pages"] for f in files)
    return loaded, {
        "files": len(pdfs),
        "parsed": len(files),
        "pages": pages,
        "seconds": total,
        "pages_per_s": per_second(pages, total),
        "rejected": rejected,
        "per_file": sorted(files, key=lambda f: -f["seconds"]),
    }


def load_model(settings: Settings, threads: int | None) -> tuple[SentenceEmbedder, Result]:
    """Import torch and sentence-transformers, then load the model: timed apart."""
    started = time.perf_counter()
    import sentence_transformers  # noqa: F401  (imported here so the model load excludes it)
    import torch

    if threads:
        torch.set_num_threads(threads)
    imported = time.perf_counter()
    embedder = SentenceEmbedder(settings.model)
    _ = embedder.model
    loaded = time.perf_counter()
    embedder.embed(["warm up the model once"])
    return embedder, {
        "name": embedder.name,
        "import_seconds": imported - started,
        "load_seconds": loaded - imported,
        "first_embed_seconds": time.perf_counter() - loaded,
        "torch_threads": torch.get_num_threads(),
        "max_tokens": embedder.max_tokens,
        "dimension": embedder.dimension,
    }


def chunk_documents(stage: Stage, documents: Sequence[LoadedDocument]) -> tuple[list[str], Result]:
    """Time chunking with the model tokenizer counting tokens, as the ingestion job does."""
    texts: list[str] = []
    tokens = 0
    started = time.perf_counter()
    for document in documents:
        chunks = stage.chunk(document)
        texts += [c.text for c in chunks]
        tokens += sum(c.token_count for c in chunks)
    seconds = time.perf_counter() - started
    return texts, {
        "documents": len(documents),
        "chunks": len(texts),
        "tokens": tokens,
        "seconds": seconds,
        "chunks_per_s": per_second(len(texts), seconds),
    }


def embed_chunks(embedder: SentenceEmbedder, texts: Sequence[str]) -> Result:
    """Time embedding as the ingestion job does (the backend's own batch); the model is loaded."""
    started = time.perf_counter()
    embedder.embed(texts)
    seconds = time.perf_counter() - started
    return {
        "chunks": len(texts),
        "seconds": seconds,
        "chunks_per_s": per_second(len(texts), seconds),
    }


def timed_ingest(library: Library, paths: Sequence[Path], before: dict[str, int]) -> Result:
    """Run `ingest()` and turn its report and the catalog's counts, less `before`, into rates."""
    started = time.perf_counter()
    report = ingest(library, paths)
    seconds = time.perf_counter() - started
    after = library.catalog.counts()
    pages = after["pages"] - before["pages"]
    files = len(report.outcomes)
    return {
        "files": files,
        "added": report.count(ADDED),
        "failed": report.count(FAILED),
        "failures": [
            {"file": Path(o.source).name, "reason": o.reason}
            for o in report.outcomes
            if o.status == FAILED
        ],
        "pages": pages,
        "chunks": after["chunks"] - before["chunks"],
        "seconds": seconds,
        "documents_per_min": per_second(files, seconds / 60),
        "pages_per_min": per_second(pages, seconds / 60),
        "chunks_per_s": per_second(report.embedded_chunks, seconds),
    }


def write_abstracts(stage: Stage, corpus_jsonl: Path, folder: Path, needed: int) -> Result:
    """Write SciFact abstracts as text files, title first, until they make `needed` chunks."""
    folder.mkdir(parents=True)
    max_bytes = INGEST.max_bytes
    written = chunks = 0
    started = time.perf_counter()
    with corpus_jsonl.open(encoding="utf-8") as lines:
        for line in lines:
            if chunks >= needed:
                break
            record = json.loads(line)
            path = folder / f"scifact-{record['_id']}.txt"
            path.write_text(f"{record['title']}\n\n{record['text']}\n", encoding="utf-8")
            chunks += stage.chunk_count(load_file(path, max_bytes))
            written += 1
    return {
        "abstracts": written,
        "planned_chunks": chunks,
        "prepare_seconds": time.perf_counter() - started,
    }


def questions(scifact: Path, count: int) -> tuple[list[str], list[tuple[str, str]]]:
    """Warm-up claims, then SciFact claims and social-care questions (a fifth) shuffled."""
    practice = [q.strip() for q in SOCIAL_CARE_QUESTIONS.read_text().splitlines() if q.strip()]
    with (scifact / "queries.jsonl").open(encoding="utf-8") as lines:
        claims = [json.loads(line)["text"] for line in lines if line.strip()]
    rng = random.Random(SEED)
    practice = practice[: max(count // 5, 1)]
    drawn = rng.sample(claims, count - len(practice) + WARM_UP)
    asked = [("scifact", q) for q in drawn[WARM_UP:]] + [("social_care", q) for q in practice]
    rng.shuffle(asked)
    return drawn[:WARM_UP], asked


def latency(values: Sequence[float]) -> Result:
    p50, p95 = np.percentile(values, [50, 95])
    return {
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "mean_ms": float(np.mean(values)),
        "max_ms": float(np.max(values)),
    }


def ask_latency(stage: Stage, asked: Sequence[tuple[str, str]], warm_up: Sequence[str]) -> Result:
    """Time `Library.search`, then `compose_answer`, per question, as `evidence ask` runs them."""
    library = Library(stage.settings, stage.embedder)
    timings: list[Result] = []
    try:
        started = time.perf_counter()
        version = library.current()
        opened = time.perf_counter() - started
        if version is None:
            raise RuntimeError(f"no published index in {stage.settings.home}")
        for question in warm_up:
            library.search(question, Filters())
        for group, question in asked:
            started = time.perf_counter()
            vector = stage.embedder.embed([question])[0]
            passages = library.search_by_vector(question, vector, Filters(), sentences=True)
            searched = time.perf_counter()
            answer = compose_answer(
                question,
                passages,
                min_score=stage.settings.min_score,
                embed=stage.embedder.embed,
                question_vector=vector,
            )
            done = time.perf_counter()
            timings.append(
                {
                    "group": group,
                    "question": question,
                    "search_ms": (searched - started) * 1000,
                    "compose_ms": (done - searched) * 1000,
                    "total_ms": (done - started) * 1000,
                    "passages": len(passages),
                    "answered": answer.answered,
                }
            )
    finally:
        library.close()
    groups = ("scifact", "social_care")
    return {
        "min_score": stage.settings.min_score,
        "library_chunks": version.vectors.count,
        "index_open_seconds": opened,
        "questions": len(asked),
        "warm_up": len(warm_up),
        "asked": {g: sum(t["group"] == g for t in timings) for g in groups},
        "answered": {g: sum(t["group"] == g and t["answered"] for t in timings) for g in groups},
        "search": latency([t["search_ms"] for t in timings]),
        "search_and_compose": latency([t["total_ms"] for t in timings]),
        "compose": latency([t["compose_ms"] for t in timings]),
        "per_question": timings,
    }


def run(args: argparse.Namespace, work: Path) -> Result:
    """Every measurement in order; the corpus library, topped up with SciFact, is then asked."""
    settings = Settings(home=work / "library", model=DEFAULT_MODEL)
    results: Result = {"quick": args.quick, "corpus": str(args.corpus)}

    pdfs = corpus_pdfs(args.corpus, args.quick)
    log(f"parsing {len(pdfs)} PDFs from {args.corpus}")
    documents, results["parsing"] = parse_pdfs(pdfs, INGEST.max_bytes)

    log("loading the embedding model")
    embedder, results["model"] = load_model(settings, args.torch_threads)
    stage = Stage(settings, embedder)

    log(f"chunking {len(documents)} documents")
    texts, results["chunking"] = chunk_documents(stage, documents)

    texts = texts[:QUICK_EMBED] if args.quick else texts
    log(f"embedding {len(texts)} chunks")
    results["embedding"] = embed_chunks(embedder, texts)

    paths = pdfs if args.quick else [args.corpus]
    log(f"ingesting {len(pdfs) if args.quick else args.corpus} into {settings.home}")
    library = Library(settings, embedder)
    try:
        results["ingestion"] = timed_ingest(library, paths, {"pages": 0, "chunks": 0})
        counts = library.catalog.counts()
        min_chunks = args.min_chunks or (QUICK_MIN_CHUNKS if args.quick else MIN_CHUNKS)
        log(f"{counts['chunks']} chunks; writing SciFact abstracts to reach {min_chunks}")
        folder = work / "scifact"
        top_up = write_abstracts(
            stage, args.scifact / "corpus.jsonl", folder, min_chunks - counts["chunks"]
        )
        if top_up["abstracts"]:
            log(f"ingesting {top_up['abstracts']} abstracts ({top_up['planned_chunks']} chunks)")
            top_up.update(timed_ingest(library, [folder], counts))
        results["top_up"] = top_up
    finally:
        library.close()

    warm_up, asked = questions(args.scifact, QUICK_QUESTIONS if args.quick else QUESTIONS)
    results["ask"] = {"min_chunks": min_chunks, **timed_asking(stage, asked, warm_up)}
    if results["ask"]["library_chunks"] < min_chunks:
        log(f"warning: SciFact ran out; the library has fewer than {min_chunks} chunks")
    import torch

    threads = torch.get_num_threads()
    if threads > 1:  # one query is a tiny workload: a busy core can stall a thread team
        torch.set_num_threads(1)
        results["ask_one_thread"] = timed_asking(stage, asked, warm_up)
        torch.set_num_threads(threads)
    return results


def timed_asking(stage: Stage, asked: Sequence[tuple[str, str]], warm_up: Sequence[str]) -> Result:
    import torch

    threads = torch.get_num_threads()
    log(f"asking {len(asked)} questions after {len(warm_up)} warm-up ones, {threads} torch threads")
    return {"torch_threads": threads, **ask_latency(stage, asked, warm_up)}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of documents")
    parser.add_argument("--scifact", type=Path, default=DEFAULT_SCIFACT, help="BEIR SciFact folder")
    parser.add_argument("--out", type=Path, default=Path("bench-results/speed.json"))
    parser.add_argument("--quick", action="store_true", help="a small subset, for a smoke run")
    parser.add_argument(
        "--min-chunks", type=int, help=f"chunks the ask library needs (default {MIN_CHUNKS})"
    )
    parser.add_argument("--work", type=Path, help="keep the libraries in a new folder under this")
    parser.add_argument("--torch-threads", type=int, help="torch CPU threads (default: torch's)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    # Models are never downloaded: set before anything imports huggingface_hub.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    args = parse_args(argv)
    for folder, option in ((args.corpus, "corpus"), (args.scifact, "scifact")):
        if not folder.is_dir():
            print(f"speed: no folder {folder}; pass --{option} PATH", file=sys.stderr)
            return 2
    started = time.perf_counter()
    load_before, code = os.getloadavg(), commit(REPO)
    if args.work:
        args.work.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="speed-", dir=args.work))
        results = run(args, work)
    else:
        work = Path(tempfile.mkdtemp(prefix="evidence-speed-"))
        try:
            results = run(args, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    results["machine"] = {**machine(), "load_average_before": load_before, "commit": code}
    results["total_seconds"] = time.perf_counter() - started
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(table(results))
    print(f"\nwrote {args.out}" + (f"; libraries kept in {work}" if args.work else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
