"""`evidence ask` and `evidence chat`: retrieval, then a composed, cited answer."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from index import Filters, Settings

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
        from bot.answering import Answerer
        from index import Library, load_embedder

        self.library = Library(settings, load_embedder(settings))
        self.answerer = Answerer(self.library, settings.min_score)

    def ask(self, question: str, filters: Filters, limit: int | None = None) -> Any:
        return self.answerer.answer(question, filters, limit=limit)

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


def note_command(settings: Settings, args: argparse.Namespace) -> int:
    from datetime import UTC, datetime
    from pathlib import Path

    from bot.note import supervision_note

    asker = Asker(settings)
    try:
        answer = asker.ask(args.question, Filters())
        version = asker.answerer.library_version()
    except RuntimeError as error:
        print(f"evidence note: {error}", file=sys.stderr)
        return 2
    finally:
        asker.close()
    note = supervision_note(answer, asked_at=datetime.now(UTC), library_version=version)
    if args.out:
        Path(args.out).write_text(note, encoding="utf-8")
        print(f"wrote {args.out}")
    else:
        print(note)
    return 0
