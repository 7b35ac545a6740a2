"""Evidence staff send documents to the Teams bot; everyone else is refused; auth stays on.

The bot's real aiohttp app on 127.0.0.1 and the real ingestion job (fast hashed embedder); the
recording Bot Connector also serves the files, as the pre-authorised `downloadUrl` would.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.teams.admin import USAGE as ADMIN_USAGE
from bot.teams.admin import is_admin_command
from bot.teams.server import Credentials
from bot.wording import ADMIN_NOT_HERE
from bot.wording import ADMIN_REFUSED as ADMIN_REFUSAL
from bot.wording import FILES_NOT_HERE as NOT_HERE
from bot.wording import UPLOAD_REFUSED as REFUSAL
from evidence.chat import file_loader
from index.library import Library
from index.settings import Settings
from tests.support import teams_activities as teams
from tests.support.doubles import HashEmbedder
from tests.support.factories import make_docx
from tests.support.teams_bot import RunningBot, running_teams_bot
from tests.support.teams_connector import BotConnector

STAFF = "0d9c2a7e-5b7e-4f43-9a7d-6a3c9f1e2b11"


@pytest.fixture
def running(
    hash_samples: tuple[Settings, HashEmbedder], tmp_path: Path, connector: BotConnector
) -> Iterator[RunningBot]:
    library_settings, embedder = hash_samples
    docx = make_docx(
        tmp_path / "kinship.docx",
        ["# Kinship care review", "Kinship carers need support with money and training."],
        title="Supporting kinship carers",
    )
    connector.files["kinship.docx"] = (
        docx.read_bytes(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    load = file_loader(library_settings, embedder)
    with running_teams_bot(library_settings, embedder, staff=(STAFF.upper(),), load=load) as bot:
        yield bot


def send_file(url: str, connector: BotConnector, sender_aad: str, kind: str = "personal") -> None:
    attachment = teams.file_attachment("kinship.docx", connector.file_url("kinship.docx"))
    activity = teams.message(
        "", connector.url, kind=kind, sender=teams.user(sender_aad), attachments=[attachment]
    )
    assert teams.post(url, activity)[0] == 202


def documents(running: RunningBot) -> list[str]:
    library: Library = running.bot.desk.answerer.library
    return [d.title for d in library.catalog.documents()]


def test_staff_document_is_downloaded_and_ingested(
    running: RunningBot, connector: BotConnector
) -> None:
    send_file(running.url, connector, STAFF)
    started, report = connector.wait_for(2)
    assert started.body["text"] == "Loading 1 document(s) into the library…"
    assert report.body["textFormat"] == "plain"
    assert report.body["text"].startswith("kinship.docx: added, ")
    assert [r.path for r in connector.downloads()] == ["/files/kinship.docx"]
    assert "Supporting kinship carers" in documents(running)


def test_anyone_else_is_refused_and_nothing_is_downloaded(
    running: RunningBot, connector: BotConnector
) -> None:
    send_file(running.url, connector, "aad-practitioner")
    (refusal,) = connector.wait_for(1)
    assert refusal.body["text"] == REFUSAL
    time.sleep(0.3)
    assert connector.downloads() == []
    assert "Supporting kinship carers" not in documents(running)


def test_files_are_only_taken_in_a_personal_chat(
    running: RunningBot, connector: BotConnector
) -> None:
    send_file(running.url, connector, STAFF, kind="groupChat")
    (reply,) = connector.wait_for(1)
    assert reply.body["text"] == NOT_HERE
    assert connector.downloads() == []


def test_with_authentication_on_a_malformed_token_gets_401_and_no_work(
    hash_samples: tuple[Settings, HashEmbedder], connector: BotConnector
) -> None:
    """Single-tenant credentials and no anonymous access: no network is needed to refuse these."""
    credentials = Credentials(
        client_id="11111111-2222-3333-4444-555555555555",
        client_secret="not-a-real-secret",
        tenant_id="66666666-7777-8888-9999-000000000000",
    )
    with running_teams_bot(*hash_samples, credentials=credentials) as bot:
        activity = teams.message("What helps social workers stay?", connector.url)
        for headers in (
            {"Authorization": "Bearer not-a-jwt"},
            {"Authorization": "Bearer a.b.c"},
            {"Authorization": "Basic dXNlcjpwYXNz"},
            {},
            {"Authorization": f"Bearer {forged_token({'alg': 'RS256', 'typ': 'JWT'})}"},  # no kid
            {"Authorization": f"Bearer {forged_token({'alg': 'none', 'kid': 'k1'})}"},
            {"Authorization": f"Bearer {forged_token({'alg': 'HS256', 'kid': 'k1'})}"},
        ):
            status, body = teams.post(bot.url, activity, headers)
            assert status == 401, headers
            assert "error" in body
        health = bot.url.replace("/api/messages", "/health")
        with urllib.request.urlopen(health, timeout=10) as response:
            assert response.status == 200  # only /api/messages is behind the token check
    time.sleep(0.3)
    assert connector.requests == []


def forged_token(header: dict[str, str]) -> str:
    """A JWT with this header, plausible claims and a made-up signature."""

    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    claims = {"iss": "https://api.botframework.com", "aud": "x", "exp": int(time.time()) + 600}
    return f"{part(header)}.{part(claims)}.c2lnbmF0dXJl"


def admin(
    running: RunningBot, connector: BotConnector, text: str, sender: str, kind: str = "personal"
) -> str:
    activity = teams.message(
        text, connector.url, kind=kind, sender=teams.user(sender), expect_replies=True
    )
    _, body = teams.post(running.url, activity)
    (reply,) = [a for a in body["activities"] if a["type"] == "message"]
    return str(reply["text"])


def test_staff_manage_the_library_in_a_personal_chat_and_no_one_else_can(
    running: RunningBot, connector: BotConnector
) -> None:
    assert admin(running, connector, "admin stats", STAFF).startswith("7 documents, ")
    listing = admin(running, connector, "admin list", STAFF)
    (line,) = [row for row in listing.splitlines() if "Family group conferences" in row]
    doc_id = line.split()[0]
    assert admin(running, connector, "admin list", "aad-practitioner") == ADMIN_REFUSAL
    assert admin(running, connector, f"admin remove {doc_id}", "aad-practitioner") == ADMIN_REFUSAL
    assert admin(running, connector, "admin list", STAFF, kind="groupChat") == ADMIN_NOT_HERE
    assert any(t.startswith("Family group conferences") for t in documents(running))

    removed = admin(running, connector, f"admin remove {doc_id}", STAFF)
    assert removed.startswith(f"Removed document {doc_id} (Family group conferences")
    assert not any(t.startswith("Family group conferences") for t in documents(running))
    assert admin(running, connector, "admin stats", STAFF).startswith("6 documents, ")
    assert admin(running, connector, "admin", STAFF) == ADMIN_USAGE
    assert not is_admin_command("admin burden on social workers: what helps?")
