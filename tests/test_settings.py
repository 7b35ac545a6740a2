"""One settings object per process, each section owned by its package, the variables unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.settings import ENVIRONMENT, ProcessSettings
from index import Settings
from index.settings import KNOWN


def test_each_variable_lands_in_its_own_section() -> None:
    process = ProcessSettings.from_environ(
        {
            "EVIDENCE_HOME": "/srv/library",
            "EVIDENCE_CHUNK_TOKENS": "120",
            "SLACK_BOT_TOKEN": "xoxb-1",
            "EVIDENCE_SLACK_STAFF": "U1, S2",
            "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID": "tenant",
            "PORT": "8080",
        },
        model="/models/minilm",
    )
    assert process.library.home == Path("/srv/library")
    assert process.library.model == "/models/minilm"  # a command-line flag
    assert process.ingest.chunk_tokens == 120
    assert process.slack.bot_token == "xoxb-1" and process.slack.staff_ids == ("U1", "S2")
    assert process.teams.tenant_id == "tenant"
    assert process.port == 8080
    assert "xoxb-1" not in repr(process)


def test_an_unknown_evidence_variable_fails_in_both_ways_of_building() -> None:
    with pytest.raises(ValueError, match="EVIDENCE_CHUNK_TOKEN;"):
        ProcessSettings.from_environ({"EVIDENCE_CHUNK_TOKEN": "120"})
    with pytest.raises(ValueError, match="EVIDENCE_CHUNK_TOKEN;"):
        Settings.from_environ({"EVIDENCE_CHUNK_TOKEN": "120"})
    # A script that builds only the library's section still accepts the others' variables.
    assert Settings.from_environ({"EVIDENCE_SLACK_STAFF": "U1"}).home == Path("evidence-library")


def test_the_library_knows_every_evidence_variable_of_the_other_sections() -> None:
    evidence = {name for name in ENVIRONMENT if name.startswith("EVIDENCE_")}
    assert evidence == {name for name in KNOWN if name.startswith("EVIDENCE_")}


def test_a_bad_value_names_its_variable_field() -> None:
    with pytest.raises(ValueError, match="chunk_tokens"):
        ProcessSettings.from_environ({"EVIDENCE_CHUNK_TOKENS": "9999"})
