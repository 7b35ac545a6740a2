"""What every chat surface's process opens: the library, the desk over it, the claims, uploads."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from evidence.settings import ProcessSettings
from index import Settings
from ingest.settings import IngestSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Chat:
    """The parts a skin is built from, over one open library."""

    desk: Any  # bot.desk.Desk
    deliveries: Any  # bot.records.deliveries.Deliveries
    load: Callable[[Path], str]


def open_chat(process: ProcessSettings) -> Chat:
    """The library in `process.library.home`, with the model and index loaded up front, and its
    records; files staff send are loaded with `process.ingest`."""
    from bot.answering import Answerer
    from bot.desk import Desk
    from bot.records.answers import AnswerLog
    from bot.records.conversations import Conversations
    from bot.records.deliveries import Deliveries
    from index import Library, load_embedder

    settings = process.library
    library = Library(settings, load_embedder(settings))
    library.require_schema()
    library.check_model()
    library.current()  # load the index now, not on the first question
    answers, deliveries = AnswerLog(library.catalog), Deliveries(library.catalog)
    conversations = Conversations(library.catalog)
    # Retention: audit records (and who spoke where) live EVIDENCE_AUDIT_DAYS; platforms stop
    # retrying a delivery within minutes.
    answers.forget_older_than(timedelta(days=settings.audit_days))
    conversations.forget_older_than(timedelta(days=settings.audit_days))
    deliveries.forget_older_than(timedelta(days=1))
    desk = Desk(Answerer(library, settings.min_score), answers, conversations)
    return Chat(desk, deliveries, file_loader(settings, library.embedder, process.ingest))


def file_loader(
    settings: Settings, embedder: Any, ingesting: IngestSettings | None = None
) -> Callable[[Path], str]:
    """Loading one file sent by evidence staff, through the same ingestion job as the CLI."""

    def load(path: Path) -> str:
        from index import Library, LibraryBusy, LibraryFull
        from ingest.job import FAILED, ingest

        writer = Library(settings, embedder)
        try:
            report = ingest(writer, [path], settings=ingesting)
        except LibraryBusy as error:
            return f"not added yet: {error}"
        except LibraryFull:  # the details (paths, the catalog) are for the log, not the chat
            log.exception("a sent file could not be added: the library's disk is full")
            return (
                "not added: the disk holding the library is full. The library is as it was; "
                "please tell whoever runs the bot"
            )
        finally:
            writer.close()
        outcome = report.outcomes[0]
        if outcome.status == FAILED:
            return f"not added. {outcome.reason}: {outcome.advice}"
        version = report.index_version
        return f"{outcome.status}, {outcome.chunks} passages; library version {version}"

    return load
