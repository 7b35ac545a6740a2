"""The bundled samples ingested once per session, then copied for each test that wants them.

Ingesting the seven samples costs a few seconds even with the hashed embedder; the Teams and desk
tests each want a library of their own to write records into. So the library is built once per
catalog kind: on SQLite its home folder is copied, on PostgreSQL its database is the template of a
new database per test (`CREATE DATABASE ... TEMPLATE`), with the home folder copied beside it.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from index.library import Library
from index.settings import Settings
from ingest.job import ingest
from tests.support.doubles import HashEmbedder

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
# With the hashed bag-of-words embedder, sample-library questions score 0.30 to 0.44 and
# off-topic ones (bread, Kubernetes) about 0.1: 0.25 separates them, with no "possibly related".
HASH_MIN_SCORE = 0.25


def hash_embedder() -> HashEmbedder:
    return HashEmbedder(dimension=1024)


def build(settings: Settings) -> Settings:
    """Ingest the samples into the library `settings` names, with the hashed embedder."""
    settings = settings.model_copy(update={"min_score": HASH_MIN_SCORE})
    library = Library(settings, hash_embedder())
    try:
        assert ingest(library, [SAMPLES]).count("added") == 7
    finally:
        library.close()
    return settings


class SampleLibraries:
    """One built sample library per catalog kind, handed out as fresh copies."""

    def __init__(self, folder: Path, postgres_admin: str) -> None:
        self.folder = folder
        self.admin = postgres_admin
        self.built: dict[str, Settings] = {}
        self.copies: list[str] = []

    def template(self, postgres_server: str | None) -> Settings:
        kind = "sqlite" if postgres_server is None else "postgresql"
        if kind not in self.built:
            database_url = None
            if postgres_server is not None:
                database_url = self.create_database(f"{self.database_of(postgres_server)}_samples")
            home = self.folder / kind / "library"
            self.built[kind] = build(Settings(home=home, database_url=database_url))
        return self.built[kind]

    def copy(self, settings: Settings) -> Settings:
        """A copy of the sample library for a test whose own library `settings` names."""
        template = self.template(settings.database_url)
        shutil.copytree(template.home, settings.home)
        update: dict[str, object] = {"min_score": HASH_MIN_SCORE}
        if template.database_url is not None:
            name = f"{self.database_of(template.database_url)}_{uuid.uuid4().hex[:8]}"
            update["database_url"] = self.create_database(name, template.database_url)
            self.copies.append(name)
        return settings.model_copy(update=update)

    def drop_copies(self) -> None:
        for name in self.copies:
            self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.copies.clear()

    def close(self) -> None:
        self.drop_copies()
        for settings in self.built.values():
            if settings.database_url is not None:
                name = self.database_of(settings.database_url)
                self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def create_database(self, name: str, template: str | None = None) -> str:
        like = f' TEMPLATE "{self.database_of(template)}"' if template else ""
        self.execute(f'CREATE DATABASE "{name}"{like}')
        return make_url(self.admin).set(database=name).render_as_string(hide_password=False)

    def execute(self, statement: str) -> None:
        engine = create_engine(self.admin, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text(statement))
        finally:
            engine.dispose()

    @staticmethod
    def database_of(url: str) -> str:
        database = make_url(url).database
        assert database
        return database
