"""Quotes chosen with stored sentence vectors against quotes chosen by embedding each sentence.

    python -m benchmarks.quote_choice --home DIR --queries benchmarks/corpus_questions.tsv \
        --out bench-results/quote_choice.json

For every question the passages are retrieved once; the answer is then composed twice from the
same passages: with the sentence vectors pooled at ingestion (what the bot does), and with them
withheld, so that every sentence is embedded on its own at ask time (what it did before). Prints
how often the two choose the same quote, how often the quotes overlap, and the time each takes.
Questions come from a BEIR `queries.jsonl`, a question-set TSV (first column), or one per line.

Agreement says nothing of which choice is right, so a probe follows: a sentence of a random
passage, with 60% of its words dropped, is the question; each way of scoring must find that
sentence among its passage's sentences (scored as answers score them, lexical overlap included).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.ask_latency import percentiles, read_questions

SEED = 7
KEPT_WORDS = 0.4


def probe(library: Any, embedder: Any, samples: int) -> dict[str, Any]:
    """Find-the-sentence accuracy: pooled vectors against sentences embedded one by one."""
    from index.catalog import spans_of
    from index.lexical import terms
    from index.sentence_vectors import sentence_spans, unpack

    rng = random.Random(SEED)
    catalog = library.catalog
    ids = [int(i) for i in catalog.chunk_ids([d.id for d in catalog.documents()])]
    chosen = rng.sample(ids, min(samples, len(ids)))
    stored = catalog.sentence_vectors(chosen)
    found = {"pooled": 0, "embedded_one_by_one": 0}
    asked = 0
    for chunk, document in catalog.chunks(chosen):
        vectors = unpack(stored.get(chunk.id))
        spans = spans_of(chunk)
        pages = catalog.pages(document.id, {s.page for s in spans})
        keys = [k for k in sentence_spans(spans, pages)[0] if k in vectors]
        texts = [pages[page][start:end] for page, start, end in keys]
        keep = [n for n, text in enumerate(texts) if len(terms(text)) >= 3]
        if len(keep) < 3:
            continue
        target = rng.randrange(len(keep))
        words = texts[keep[target]].split()
        question = " ".join(w for w in words if rng.random() < KEPT_WORDS) or words[0]
        wanted = set(terms(question))
        overlap = np.array([len(wanted & set(terms(texts[n]))) / len(wanted or {""}) for n in keep])
        question_vector = embedder.embed([question])[0]
        pooled = np.asarray([vectors[keys[n]] for n in keep]) @ question_vector
        one_by_one = embedder.embed([texts[n] for n in keep]) @ question_vector
        asked += 1
        found["pooled"] += int(np.argmax(pooled + 0.1 * overlap)) == target
        found["embedded_one_by_one"] += int(np.argmax(one_by_one + 0.1 * overlap)) == target
    return {"passages": asked, **{k: round(v / max(asked, 1), 3) for k, v in found.items()}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="library folder (EVIDENCE_HOME)")
    parser.add_argument("--queries", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--probe", type=int, default=400, help="passages for the probe")
    parser.add_argument("--out", type=Path, default=Path("bench-results/quote_choice.json"))
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from bot.answer import compose_answer
    from index.embedding import load_embedder
    from index.library import Library
    from index.settings import Settings

    settings = Settings.from_environ(os.environ, home=args.home)
    embedder = load_embedder(settings)
    library = Library(settings, embedder)
    same = overlapping = total = with_vectors = 0
    stored_ms: list[float] = []
    embedded_ms: list[float] = []
    for question in read_questions(args.queries, args.limit):
        vector = embedder.embed([question])[0]
        passages = library.search_by_vector(question, vector, sentences=True)
        with_vectors += sum(bool(p.sentence_vectors) for p in passages)
        bare = [replace(p, sentence_vectors={}) for p in passages]
        answers = []
        for shown, times in ((passages, stored_ms), (bare, embedded_ms)):
            started = time.perf_counter()
            answers.append(
                compose_answer(
                    question,
                    shown,
                    min_score=settings.min_score,
                    embed=embedder.embed,
                    question_vector=vector,
                )
            )
            times.append((time.perf_counter() - started) * 1000)
        ours, theirs = (a.citations or a.related for a in answers)
        for mine, other in zip(ours, theirs, strict=True):
            total += 1
            same += mine.quote == other.quote
            overlapping += mine.quote in other.quote or other.quote in mine.quote
    found = probe(library, embedder, args.probe)
    library.close()
    result = {
        "questions": len(stored_ms),
        "quotes_compared": total,
        "passages_with_stored_vectors": with_vectors,
        "same_quote": round(same / max(total, 1), 3),
        "overlapping_quote": round(overlapping / max(total, 1), 3),
        "compose_ms_stored_vectors": percentiles(stored_ms),
        "compose_ms_embedding_sentences": percentiles(embedded_ms),
        "find_the_sentence_probe": found,
        "embedding_backend": settings.embedding_backend,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
