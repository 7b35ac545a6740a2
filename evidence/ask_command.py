"""`evidence ask` and `evidence chat`: retrieval, then a composed, cited answer."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from index.records import Filters
from index.settings import Settings

PROMPT = "question> "


def filters_from(args: argparse.Namespace) -> Filters:
    return Filters(
        doc_types=tuple(args.doc_types or ()),
        topics=tuple(args.topics or ()),
        year_from=args.since,
        year_to=args.until,
        document_ids=tuple(args.documents or ()),
    )


class Asker:
    """One library and model, kept open across questions."""

    def __init__(self, settings: Settings) -> None:
        from index.embedder import SentenceEmbedder
        from index.library import Library

        self.settings = settings
        self.library = Library(settings, SentenceEmbedder(settings.model))

    def ask(self, question: str, filters: Filters, limit: int | None = None) -> Any:
        from bot.answer import compose_answer

        embedder = self.library.embedder
        assert embedder is not None
        passages = self.library.search(question, filters, limit=limit)
        return compose_answer(
            question, passages, min_score=self.settings.min_score, embed=embedder.embed
        )

    def close(self) -> None:
        self.library.close()


def ask_command(settings: Settings, args: argparse.Namespace) -> int:
    from bot.rendering import render_text, to_dict

    asker = Asker(settings)
    try:
        answer = asker.ask(args.question, filters_from(args), args.limit)
    except RuntimeError as error:  # no library yet, wrong model, unreadable index file
        print(f"evidence ask: {error}", file=sys.stderr)
        return 2
    finally:
        asker.close()
    if args.json:
        print(json.dumps(to_dict(answer), indent=2, ensure_ascii=False))
    else:
        print(render_text(answer))
    return 0


def chat_command(settings: Settings, args: argparse.Namespace) -> int:
    from bot.rendering import render_text

    asker = Asker(settings)
    filters = filters_from(args)
    print("Ask a practice question; the answer quotes the library. Empty line or Ctrl-D to stop.")
    try:
        while True:
            try:
                question = input(PROMPT).strip()
            except (EOFError, KeyboardInterrupt):
                print()
                return 0
            if not question or question.casefold() in {"quit", "exit", ":q"}:
                return 0
            try:
                print(render_text(asker.ask(question, filters, args.limit)), end="\n\n")
            except RuntimeError as error:
                print(f"evidence chat: {error}", file=sys.stderr)
                return 2
    finally:
        asker.close()
