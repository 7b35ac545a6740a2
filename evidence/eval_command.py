"""`evidence eval beir|questions|compare`: retrieval quality, measured and compared."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidence.settings import ProcessSettings
from index import Settings

if TYPE_CHECKING:
    from index import Library

CANDIDATES = 200  # per retriever, so that Recall@100 is not capped by the candidate lists


def eval_command(process: ProcessSettings, args: argparse.Namespace) -> int:
    settings = process.library
    if args.eval_command == "questions":
        return questions_command(settings, args)
    if args.eval_command == "answers":
        return answers_command(settings, args)
    if args.eval_command == "compare":
        return compare_command(args)
    return beir_command(process, args)


def beir_command(process: ProcessSettings, args: argparse.Namespace) -> int:
    from evaluation.retrieval import (
        document_run,
        markdown_table,
        mean_scores,
        per_query,
        read_beir,
        write_corpus,
    )
    from index import ANALYZER, K1, MODES, B, Library, load_embedder
    from ingest.job import ingest

    settings, ingesting = process.library, process.ingest
    folder = Path(args.path)
    try:
        corpus, queries, qrels = read_beir(folder, args.split)
    except (OSError, ValueError, KeyError) as error:
        print(f"evidence eval: cannot read the BEIR dataset in {folder}: {error}", file=sys.stderr)
        return 2
    if args.queries:
        queries = dict(list(queries.items())[: args.queries])
        qrels = {q: qrels[q] for q in queries}
    documents = settings.home / "beir-documents" / folder.name
    write_corpus(corpus, documents)
    library = Library(settings, load_embedder(settings))
    try:
        report = ingest(library, [documents], settings=ingesting)
        results = {}
        queries_table = {}
        timings = {}
        for mode in MODES:
            started = time.perf_counter()
            run = {
                qid: document_run(
                    p.source
                    for p in library.search(
                        text, limit=100, per_document=1, mode=mode, candidates=CANDIDATES
                    )
                )
                for qid, text in queries.items()
            }
            timings[mode] = round((time.perf_counter() - started) / max(len(queries), 1) * 1000, 1)
            queries_table[mode] = per_query(qrels, run)
            results[mode] = mean_scores(queries_table[mode])
    finally:
        library.close()
    config = {
        "model": library.embedder.name if library.embedder else settings.model,
        "embedding_backend": settings.embedding_backend,
        "chunk_tokens": ingesting.chunk_tokens,
        "chunk_overlap": ingesting.chunk_overlap,
        "fusion": f"hybrid: weighted scores, dense weight {settings.dense_weight}; rrf: k=60",
        "bm25": f"k1={K1}, b={B}, {ANALYZER}, title and section path with every passage",
        "candidates": CANDIDATES,
        "dataset": folder.name,
        "split": args.split,
        "queries": len(queries),
        "documents": len(corpus),
        "failed_documents": report.count("failed"),
    }
    report_json = {
        "results": results,
        "ms_per_query": timings,
        "config": config,
        "per_query": queries_table,
    }
    _write(args, report_json, markdown_table(results, config))
    return 0


def _write(args: argparse.Namespace, data: dict[str, Any], table: str) -> None:
    """Print JSON or the table; with --out, also keep the JSON (for `evidence eval compare`)."""
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps({k: v for k, v in data.items() if k != "per_query"}, indent=2))
    else:
        print(table)


def questions_command(settings: Settings, args: argparse.Namespace) -> int:
    from bot.answer import compose_answer
    from evaluation.question_set import (
        QuestionSetError,
        judge,
        markdown,
        read_question_set,
        summary,
    )

    try:
        questions = read_question_set(Path(args.path))
    except QuestionSetError as error:
        print(f"evidence eval: {error}", file=sys.stderr)
        return 2
    judgements = []
    with _library(settings) as library:
        if library is None:
            return 2
        embedder = library.require_embedder()
        for question in questions:
            vector = embedder.embed([question.text])[0]
            ranked = library.search_by_vector(
                question.text, vector, limit=max(10, settings.passages), sentences=True
            )
            shown = ranked[: settings.passages]
            answer = compose_answer(
                question.text,
                shown,
                min_score=settings.min_score,
                embed=embedder.embed,
                question_vector=vector,
            )
            judgements.append(judge(question, ranked, shown, answer.answered))
        model_name = embedder.name
    totals = summary(judgements)
    config = {
        "model": model_name,
        "min_score": settings.min_score,
        "passages": settings.passages,
        "per_document": settings.per_document,
        "questions": str(args.path),
    }
    rows = {
        str(j.question.line): {
            "question": j.question.text,
            "answerable": j.question.answerable,
            "document_rank": j.document_rank,
            "page_hit": j.page_hit,
            "answered": j.answered,
        }
        for j in judgements
    }
    per_question = {  # hits only where there is something to hit
        key: {"right_call": float(row["answered"] == row["answerable"])}
        | (
            {
                "document_hit@1": float(row["document_rank"] == 1),
                "page_hit@5": float(bool(row["page_hit"])),
            }
            if row["answerable"]
            else {}
        )
        for key, row in rows.items()
    }
    data = {
        "results": {"questions": totals},
        "config": config,
        "questions": rows,
        "per_query": {"questions": per_question},
    }
    settings_line = ", ".join(f"{k}={v}" for k, v in config.items())
    _write(args, data, markdown(judgements, totals) + f"\n\nConfiguration: {settings_line}")
    return 0


def answers_command(settings: Settings, args: argparse.Namespace) -> int:
    from bot.answering import Answerer
    from evaluation.answer_set import (
        AnswerSetError,
        judge,
        markdown,
        per_question,
        read_answer_set,
        summary,
    )

    try:
        items = read_answer_set(Path(args.path))
    except AnswerSetError as error:
        print(f"evidence eval: {error}", file=sys.stderr)
        return 2
    if args.split:
        items = [i for i in items if i.split in args.split]
    if not items:
        print(f"evidence eval: no questions in split(s) {', '.join(args.split)}", file=sys.stderr)
        return 2
    with _library(settings) as library:
        if library is None:
            return 2
        sources = {d.id: d.source for d in library.documents()}
        answerer = Answerer(library, settings.min_score)
        verdicts = [
            judge(item, answerer.answer(item.question), lambda c: sources.get(c.document_id, ""))
            for item in items
        ]
    splits = {"all": summary(verdicts)}
    for name in sorted({v.item.split for v in verdicts}):
        splits[name] = summary(v for v in verdicts if v.item.split == name)
    config = {
        "model": settings.model,
        "min_score": settings.min_score,
        "passages": settings.passages,
        "per_document": settings.per_document,
        "answers": str(args.path),
    }
    rows = {
        v.item.id: {
            "question": v.item.question,
            "split": v.item.split,
            "style": v.item.style,
            "answerable": v.item.answerable,
            "answered": v.answered,
            "quote_rank": v.quote_rank,
            "page_rank": v.page_rank,
            "document_rank": v.document_rank,
            "quotes": [
                {"where": w, "quote": q, "junk": j}
                for w, q, j in zip(v.where, v.quotes, v.junk, strict=True)
            ],
        }
        for v in verdicts
    }
    data = {
        "results": splits,
        "config": config,
        "questions": rows,
        "per_query": {"answers": {v.item.id: per_question(v) for v in verdicts}},
    }
    settings_line = ", ".join(f"{k}={v}" for k, v in config.items())
    _write(args, data, markdown(verdicts, splits) + f"\n\nConfiguration: {settings_line}")
    return 0


@contextmanager
def _library(settings: Settings) -> Iterator[Library | None]:
    """The library opened with its model, or None (after saying why) when it holds nothing."""
    from index import CatalogError, Library, load_embedder

    library = Library(settings, load_embedder(settings))
    try:
        try:
            library.require_schema()  # no library in that folder yet: say so, no traceback
            ready = library.current() is not None
            if not ready:
                print(f"evidence eval: the library in {settings.home} is empty", file=sys.stderr)
        except CatalogError as error:
            print(f"evidence eval: {error}", file=sys.stderr)
            ready = False
        yield library if ready else None
    finally:
        library.close()


def compare_command(args: argparse.Namespace) -> int:
    from evaluation.comparison import compare

    try:
        a = json.loads(Path(args.a).read_text(encoding="utf-8"))["per_query"]
        b = json.loads(Path(args.b).read_text(encoding="utf-8"))["per_query"]
        left = a[args.mode]
        right = b[args.mode_b or args.mode]
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(
            f"evidence eval compare: need two files written by `evidence eval ... --out`, "
            f"each with per-query results for the mode asked for ({error!r})",
            file=sys.stderr,
        )
        return 2
    measures = sorted({m for row in left.values() for m in row})
    results = []
    for measure in measures:
        pairs_a = {q: row[measure] for q, row in left.items() if measure in row}
        pairs_b = {q: row[measure] for q, row in right.items() if measure in row}
        results.append(compare(pairs_a, pairs_b, measure))
    if args.json:
        print(json.dumps([{**vars(c), "difference": c.difference} for c in results], indent=2))
    else:
        print(f"A = {args.a} ({args.mode}); B = {args.b} ({args.mode_b or args.mode})")
        for c in results:
            print(c.summary())
    return 0
