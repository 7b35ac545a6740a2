"""A long-running answering process, or one ingestion run, for the several-processes test.

Usage: python -m tests.support.bot_process answer HOME DATABASE_URL
       python -m tests.support.bot_process ingest HOME DATABASE_URL FOLDER

`answer` reads one question a line from stdin and writes one JSON line per answer: the quoted
text of every citation, or the error. It is the answering core every surface runs (what the
Procfile's `web:` scales out), with the fast test embedder so that three fit on two cores.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bot.answering import Answerer
from index.library import Library
from index.settings import Settings
from ingest.job import ingest
from tests.support.doubles import HashEmbedder


def answer(settings: Settings) -> None:
    library = Library(settings, HashEmbedder())
    answerer = Answerer(library, settings.min_score)
    for line in sys.stdin:
        try:
            reply = answerer.answer(line.strip())
            quotes = [c.quote for c in (*reply.citations, *reply.related)]
            print(json.dumps({"quotes": quotes}), flush=True)
        except Exception as error:  # reported to the test, which fails on it
            print(json.dumps({"error": f"{type(error).__name__}: {error}"}), flush=True)


def main(mode: str, home: str, database_url: str, *rest: str) -> None:
    settings = Settings(home=Path(home), database_url=database_url, min_score=0.0)
    if mode == "answer":
        answer(settings)
    else:
        report = ingest(Library(settings, HashEmbedder()), [Path(rest[0])], sync=True)
        print(json.dumps({"version": report.index_version, "failed": report.failed}), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
