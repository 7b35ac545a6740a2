"""The command-line parser; each subcommand's work lives in a module of its own."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence

from evidence.settings import ProcessSettings
from index import DOC_TYPES

EPILOG = "Settings come from the environment (EVIDENCE_HOME, DATABASE_URL, EVIDENCE_MODEL, ...)."


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evidence",
        description="A library of research evidence for children's social care, "
        "answering with verbatim, cited passages.",
        epilog=EPILOG,
    )
    parser.add_argument(
        "--home", help="folder of the library (default: $EVIDENCE_HOME or ./evidence-library)"
    )
    parser.add_argument(
        "--model", help="embedding model: a folder path (default: the bundled all-MiniLM-L6-v2)"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest = commands.add_parser(
        "ingest", help="load files or folders of evidence into the library"
    )
    ingest.add_argument(
        "paths", nargs="+", metavar="PATH", help="files or folders (searched recursively)"
    )
    ingest.add_argument(
        "--sync",
        action="store_true",
        help="also remove documents whose files are gone from the given folders",
    )
    ingest.add_argument("--no-progress", action="store_true", help="do not draw progress bars")
    meta = ingest.add_argument_group("metadata overrides (applied to every file in this run)")
    meta.add_argument("--title")
    meta.add_argument("--author", action="append", dest="authors", metavar="NAME")
    meta.add_argument("--publisher")
    meta.add_argument("--year", type=int)
    meta.add_argument("--date", help="publication date, YYYY-MM-DD")
    meta.add_argument("--source-url")
    meta.add_argument("--licence")
    meta.add_argument("--doc-type", help=f"one of: {', '.join(DOC_TYPES)}")
    meta.add_argument("--topic", action="append", dest="topics", metavar="TOPIC")
    meta.add_argument(
        "--sample",
        action="store_true",
        default=None,
        help="mark as illustrative sample material, not evidence",
    )

    for name, help_text in (
        ("ask", "answer one question with cited passages"),
        ("chat", "ask questions in an interactive session"),
    ):
        sub = commands.add_parser(name, help=help_text)
        if name == "ask":
            sub.add_argument("question", help="the practice question, in quotes")
            sub.add_argument("--json", action="store_true", help="print the full answer as JSON")
        sub.add_argument(
            "--type",
            action="append",
            dest="doc_types",
            choices=DOC_TYPES,
            metavar="TYPE",
            help=f"only this document type (repeatable): {', '.join(DOC_TYPES)}",
        )
        sub.add_argument(
            "--topic",
            action="append",
            dest="topics",
            metavar="TOPIC",
            help="only documents with this topic (repeatable)",
        )
        sub.add_argument(
            "--since", type=int, metavar="YEAR", help="only documents published in or after YEAR"
        )
        sub.add_argument(
            "--until", type=int, metavar="YEAR", help="only documents published in or before YEAR"
        )
        sub.add_argument(
            "--document",
            action="append",
            type=int,
            dest="documents",
            metavar="ID",
            help="only this document (repeatable)",
        )
        sub.add_argument(
            "--limit", type=int, help="passages to quote at most (default $EVIDENCE_PASSAGES or 5)"
        )

    note = commands.add_parser(
        "note", help="a supervision note (Markdown) for a question: passages, citations, date"
    )
    note.add_argument("question", help="the practice question, in quotes")
    note.add_argument("--out", help="write the note to this file instead of printing it")

    evaluation = commands.add_parser("eval", help="measure retrieval quality")
    eval_commands = evaluation.add_subparsers(dest="eval_command", required=True, metavar="KIND")
    beir = eval_commands.add_parser(
        "beir", help="nDCG@10, Recall@100, MRR@10 on a BEIR dataset, every retrieval mode"
    )
    beir.add_argument("path", help="folder with corpus.jsonl, queries.jsonl and qrels/")
    beir.add_argument("--split", default="test", help="qrels file to judge by (default: test)")
    beir.add_argument("--queries", type=int, help="only the first N judged queries")
    beir.add_argument("--json", action="store_true", help="print JSON")
    beir.add_argument("--out", help="also write JSON with per-query results to this file")
    questions = eval_commands.add_parser(
        "questions",
        help="document and page hits and abstention errors for a TSV question set",
    )
    questions.add_argument("path", help="TSV file: question, documents, pages (docs/commands.md)")
    questions.add_argument("--json", action="store_true", help="print JSON")
    questions.add_argument("--out", help="also write JSON with per-question results to this file")
    answers = eval_commands.add_parser(
        "answers",
        help="quote, page and document hits, refusals and junk quotes for a TSV answer set",
    )
    answers.add_argument(
        "path",
        help="TSV file: id, split, style, question, file, pages, answer (see docs/quality.md)",
    )
    answers.add_argument(
        "--split", action="append", help="only these splits (repeatable; default: every split)"
    )
    answers.add_argument("--json", action="store_true", help="print JSON")
    answers.add_argument("--out", help="also write JSON with per-question results to this file")
    comparison = eval_commands.add_parser(
        "compare", help="paired comparison of two saved runs, with a significance figure"
    )
    comparison.add_argument("a", help="JSON written by `evidence eval ... --out` (baseline)")
    comparison.add_argument("b", help="JSON written by `evidence eval ... --out` (candidate)")
    comparison.add_argument("--mode", default="hybrid", help="mode to compare (default: hybrid)")
    comparison.add_argument("--mode-b", help="mode in B, when it differs from --mode")
    comparison.add_argument("--json", action="store_true", help="print JSON")

    docs = commands.add_parser("docs", help="list, show or remove documents")
    doc_commands = docs.add_subparsers(dest="docs_command", required=True, metavar="ACTION")
    listing = doc_commands.add_parser("list", help="list the documents in the library")
    listing.add_argument("--json", action="store_true", help="print JSON")
    show = doc_commands.add_parser("show", help="show one document's metadata")
    show.add_argument("document", help="document id or file path")
    show.add_argument("--json", action="store_true", help="print JSON")
    remove = doc_commands.add_parser(
        "remove", help="remove a document; it never appears in an answer again"
    )
    remove.add_argument("document", help="document id or file path")

    stats = commands.add_parser(
        "stats", help="size of the library: documents, chunks, pages, model, index version"
    )
    stats.add_argument("--json", action="store_true", help="print JSON")
    slack = commands.add_parser("slack", help="run the Slack bot")
    slack.add_argument(
        "mode",
        choices=("serve", "socket"),
        help="serve: HTTP mode, POST /slack/events on $PORT; socket: Socket Mode (no public URL)",
    )
    # All interfaces: a platform (Heroku-style, a container) routes to $PORT from outside.
    slack.add_argument("--host", default="0.0.0.0", help="address to bind in HTTP mode")  # nosec B104
    teams = commands.add_parser("teams", help="run the Microsoft Teams bot, or package its app")
    teams_commands = teams.add_subparsers(dest="teams_command", required=True, metavar="ACTION")
    teams_serve = teams_commands.add_parser(
        "serve", help="the Teams bot: POST /api/messages on $PORT"
    )
    teams_serve.add_argument("--host", default="0.0.0.0", help="address to bind")  # nosec B104
    teams_package = teams_commands.add_parser(
        "package", help="the Teams app zip (manifest and icons) to upload to Teams"
    )
    teams_package.add_argument(
        "--out", default="evidence-teams-app.zip", help="zip to write (default: %(default)s)"
    )
    teams_package.add_argument(
        "--source", help="folder with manifest.json and the icons (default: the repo's teams/)"
    )
    commands.add_parser("migrate", help="create or upgrade the catalog schema (Alembic)")
    commands.add_parser(
        "reindex",
        help="rebuild the index files from the catalog; add missing sentence vectors",
    )
    return parser


def run(argv: Sequence[str], environ: Mapping[str, str]) -> int:
    """Parse, build the settings once, dispatch; returns the exit status.

    What the command prints passes through `printable`: no file name or document text reaches
    the terminal with its control sequences live.
    """
    from evidence.terminal import PrintableStream

    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout = PrintableStream(stdout)
    sys.stderr = PrintableStream(stderr, keep_return=True)  # progress bars redraw with \r
    try:
        return _dispatch(argv, environ)
    finally:
        sys.stdout, sys.stderr = stdout, stderr


def _dispatch(argv: Sequence[str], environ: Mapping[str, str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        process = ProcessSettings.from_environ(environ, home=args.home, model=args.model)
    except ValueError as error:
        print(f"evidence: {error}", file=sys.stderr)
        return 2
    settings = process.library
    if args.command == "ingest":
        from evidence.ingest_command import ingest_command

        return ingest_command(process, args)
    if args.command == "eval":
        from evidence.eval_command import eval_command

        return eval_command(process, args)
    if args.command == "note":
        from evidence.ask_command import note_command

        return note_command(settings, args)
    if args.command in ("ask", "chat"):
        from evidence.ask_command import ask_command, chat_command

        return (
            ask_command(settings, args) if args.command == "ask" else chat_command(settings, args)
        )
    if args.command == "slack":
        from evidence.slack_command import slack_command

        return slack_command(process, args)
    if args.command == "teams":
        from evidence.teams_command import teams_command

        return teams_command(process, args)
    from evidence.library_commands import library_command

    return library_command(settings, args)
