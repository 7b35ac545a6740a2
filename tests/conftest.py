"""Shared fixtures: a clean environment for every test, the real model once per session."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from index.settings import Settings

if TYPE_CHECKING:
    from tests.support.slack_web_api import SlackWebAPI
    from tests.support.teams_bot import RunningBot
    from tests.support.teams_connector import BotConnector
from tests.support.doubles import HashEmbedder
from tests.support.samples import SampleLibraries
from tests.support.samples import hash_embedder as sample_embedder

POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
CLEARED_PREFIXES = ("SLACK_", "EVIDENCE_", "TEAMS_", "MICROSOFT_", "CONNECTIONS__")
CLEARED_NAMES = ("DATABASE_URL", "PORT")


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the ONNX export of the bundled model, made once for the whole session."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch, model_cache: Path) -> None:
    """No test sees the developer's or CI's own settings."""
    for name in list(os.environ):
        if name.startswith(CLEARED_PREFIXES) or name in CLEARED_NAMES:
            monkeypatch.delenv(name)
    # Commands run in a test export the model into this cache once, not into every library.
    monkeypatch.setenv("EVIDENCE_MODEL_CACHE", str(model_cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(autouse=True)
def close_libraries(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every library a test opens is closed when the test ends.

    An unclosed catalog's pooled connections would otherwise be finalised by the garbage collector
    in some later test, whose ResourceWarning (an error in this suite) would name the wrong test.
    """
    from index.library import Library

    opened: list[Library] = []
    init = Library.__init__

    def tracked(self: Library, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        opened.append(self)

    monkeypatch.setattr(Library, "__init__", tracked)
    yield
    for library in opened:
        library.close()


@pytest.fixture(scope="session")
def real_embedder():  # type: ignore[no-untyped-def]
    """The bundled all-MiniLM-L6-v2, loaded once for the whole session."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from index.embedding.torch_backend import SentenceEmbedder

    embedder = SentenceEmbedder("bundled:all-MiniLM-L6-v2")
    embedder.embed(["warm up"])
    return embedder


@pytest.fixture
def hash_embedder() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A fresh PostgreSQL database for this session on 127.0.0.1:5432, dropped afterwards."""
    from sqlalchemy import create_engine, text

    name = f"evidence_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """The session database, emptied for each test."""
    from sqlalchemy import create_engine, text

    yield postgres_server
    engine = create_engine(postgres_server)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for a library in tmp_path, on SQLite and on PostgreSQL."""
    database_url = None
    if request.param == "postgresql":
        database_url = request.getfixturevalue("postgres_url")
    return Settings(home=tmp_path / "library", database_url=database_url)


@pytest.fixture(scope="session")
def sample_libraries(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleLibraries]:
    libraries = SampleLibraries(tmp_path_factory.mktemp("samples"), POSTGRES_ADMIN)
    yield libraries
    libraries.close()


@pytest.fixture
def hash_samples(
    settings: Settings, sample_libraries: SampleLibraries
) -> Iterator[tuple[Settings, HashEmbedder]]:
    """The samples ingested with the hashed embedder (once a session), copied for this test."""
    yield sample_libraries.copy(settings), sample_embedder()
    sample_libraries.drop_copies()


@pytest.fixture
def web_api() -> Iterator[SlackWebAPI]:
    """A recording Slack Web API on 127.0.0.1 that takes the test bot token."""
    from tests.support.slack_bot import TOKEN
    from tests.support.slack_web_api import SlackWebAPI

    with SlackWebAPI(bot_token=TOKEN) as server:
        yield server


@pytest.fixture
def connector() -> Iterator[BotConnector]:
    """A recording Bot Connector on 127.0.0.1, the `serviceUrl` of Teams test activities."""
    from tests.support.teams_connector import BotConnector

    with BotConnector() as server:
        yield server


@pytest.fixture
def running(hash_samples: tuple[Settings, HashEmbedder]) -> Iterator[RunningBot]:
    """The Teams bot over a copy of the sample library, anonymous access allowed."""
    from tests.support.teams_bot import running_teams_bot

    with running_teams_bot(*hash_samples) as bot:
        yield bot
