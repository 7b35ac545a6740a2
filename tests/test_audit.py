"""The audit log of answers, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from bot.records.answers import AnswerLog, AnswerRecord
from index.catalog import Catalog
from index.settings import Settings


def test_record_feedback_and_retention(settings: Settings) -> None:
    settings.home.mkdir(parents=True)
    catalog = Catalog(settings.catalog_url)
    catalog.migrate()
    log = AnswerLog(catalog)
    entry = AnswerRecord(
        surface="slack", question="What helps at [postcode]?", redacted=("postcode",),
        answered=True, answer={"question": "What helps at [postcode]?", "citations": []},
        library_version=3, workspace="T1", channel="C1", user="U1", thread="1.1",
    )  # fmt: skip
    first = log.record(entry)
    second = log.record(entry)
    assert log.feedback(first, "down", "wrong document")
    assert not log.feedback(9999, "up")
    row = log.get(first)
    assert row is not None
    assert (row.feedback, row.feedback_note, row.redacted) == (
        "down",
        "wrong document",
        ("postcode",),
    )
    assert log.forget_older_than(timedelta(days=1)) == 0
    assert log.forget_older_than(timedelta(0)) == 2
    assert log.get(second) is None
    catalog.close()
