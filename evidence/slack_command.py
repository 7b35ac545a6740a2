"""`evidence slack serve` (HTTP mode, the Procfile's web:) and `evidence slack socket` (worker:)."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from index.settings import Settings


def slack_command(settings: Settings, args: argparse.Namespace) -> int:
    missing = [
        name
        for name, value in (
            ("SLACK_BOT_TOKEN", settings.slack_bot_token),
            (
                "SLACK_SIGNING_SECRET",
                settings.slack_signing_secret if args.mode == "serve" else "-",
            ),
            ("SLACK_APP_TOKEN", settings.slack_app_token if args.mode == "socket" else "-"),
        )
        if not value
    ]
    if missing:
        print(f"evidence slack {args.mode}: set {', '.join(missing)} first", file=sys.stderr)
        return 2
    app = build(settings)
    if args.mode == "socket":
        from bot.slack.socket import run_socket_mode

        print("Slack Socket Mode: connecting", flush=True)
        run_socket_mode(app, settings.slack_app_token or "")
        return 0
    from bot.slack.http import make_http_server

    server = make_http_server(app, args.host, settings.port)
    print(f"Slack HTTP mode: POST /slack/events on {args.host}:{server.server_port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


def build(settings: Settings) -> Any:
    """The Bolt app over the library in `settings.home`, with the model loaded up front."""
    from bot.answering import Answerer
    from bot.slack.app import build_app
    from bot.slack.staff import Staff
    from index.audit import AnswerLog
    from index.deliveries import Deliveries
    from index.embedder import load_embedder
    from index.library import Library

    library = Library(settings, load_embedder(settings))
    library.catalog.require_schema()
    library.check_model()
    library.current()  # load the index now, not on the first question
    answerer = Answerer(library, settings.min_score)
    answers, deliveries = AnswerLog(library.catalog), Deliveries(library.catalog)
    # Retention: audit records live EVIDENCE_AUDIT_DAYS; Slack stops retrying within minutes.
    answers.forget_older_than(timedelta(days=settings.audit_days))
    deliveries.forget_older_than(timedelta(days=1))
    return build_app(
        settings,
        answerer,
        deliveries,
        answers,
        staff=Staff(settings.staff_ids),
        load=file_loader(settings, library.embedder),
    )


def file_loader(settings: Settings, embedder: Any) -> Callable[[Path], str]:
    """Loading one file sent by evidence staff, through the same ingestion job as the CLI."""

    def load(path: Path) -> str:
        from index.library import Library, LibraryBusy
        from ingest.job import FAILED, ingest

        writer = Library(settings, embedder)
        try:
            report = ingest(writer, [path])
        except LibraryBusy as error:
            return f"not added yet: {error}"
        finally:
            writer.close()
        outcome = report.outcomes[0]
        if outcome.status == FAILED:
            return f"not added. {outcome.reason}: {outcome.advice}"
        version = report.index_version
        return f"{outcome.status}, {outcome.chunks} passages; library version {version}"

    return load
