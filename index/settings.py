"""The one settings object per process, read from the environment at the edge."""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_MODEL = "bundled:all-MiniLM-L6-v2"
Backend = Literal["torch", "onnx", "onnx-int8"]
DEFAULT_BACKEND: Backend = "onnx-int8"

# Environment variable -> field of the library's section (docs/settings.md). Ingestion, Slack and
# Teams have sections of their own; the command line builds them all at once (evidence.settings).
ENVIRONMENT: dict[str, str] = {
    "EVIDENCE_HOME": "home",
    "DATABASE_URL": "database_url",
    "EVIDENCE_MODEL": "model",
    "EVIDENCE_EMBEDDING_BACKEND": "embedding_backend",
    "EVIDENCE_MODEL_CACHE": "model_cache",
    "EVIDENCE_MIN_SCORE": "min_score",
    "EVIDENCE_PASSAGES": "passages",
    "EVIDENCE_PER_DOCUMENT": "per_document",
    "EVIDENCE_DENSE_WEIGHT": "dense_weight",
    "EVIDENCE_GLOSSARY": "glossary",
    "EVIDENCE_SCOPE": "scope",
    "EVIDENCE_COUNCILS": "councils",
    "EVIDENCE_MIN_CONFIDENCE": "min_confidence",
    "EVIDENCE_OUTSIDE_THRESHOLD": "outside_threshold",
    "EVIDENCE_OUTSIDE_MODEL": "outside_model",
    "EVIDENCE_AUDIT_DAYS": "audit_days",
}


class Settings(BaseModel):
    """Where the library lives, how it searches and answers: the library's settings section."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    home: Path = Field(default=Path("evidence-library"))
    database_url: str | None = None
    model: str = DEFAULT_MODEL
    embedding_backend: Backend = DEFAULT_BACKEND
    model_cache: Path | None = None  # ONNX exports of the model; None: `models/` in `home`
    min_score: float = Field(default=0.3, ge=-1.0, le=1.0)
    passages: int = Field(default=5, ge=1, le=20)
    per_document: int = Field(default=3, ge=1, le=10)
    dense_weight: float = Field(default=0.6, ge=0.0, le=1.0)  # hybrid: share of the dense score
    glossary: Path | None = None  # the centre's own acronyms and synonyms (added to ours)
    scope: Path | None = None  # the centre's own "not for this library" markers (added to ours)
    councils: Path | None = None  # the centre's own councils and spellings (added to ours)
    min_confidence: float = Field(default=0.0, ge=0.0, le=1.0)  # refusal model's answer probability
    # the question classifier refuses above this P(not answerable); None: its fitted threshold
    outside_threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    outside_model: Path | None = None  # a classifier of benchmarks/fit_outside.py, not ours
    audit_days: int = Field(default=365, ge=1)

    @classmethod
    def from_environ(
        cls, environ: Mapping[str, str] | None = None, **overrides: object
    ) -> Settings:
        """The library's section from its variables, then explicit overrides (a script's).

        Raises:
            ValueError: an `EVIDENCE_*` variable no section knows (a typo, say).
        """
        env = os.environ if environ is None else environ
        check_known(env, KNOWN)
        return cls.model_validate({**section_values(env, ENVIRONMENT), **drop_none(overrides)})

    @property
    def catalog_url(self) -> str:
        """SQLAlchemy URL: `DATABASE_URL` when set, else SQLite inside the home folder."""
        if self.database_url:
            url = self.database_url
            # Heroku-style URLs say postgres://; SQLAlchemy wants an explicit driver.
            for prefix in ("postgres://", "postgresql://"):
                if url.startswith(prefix):
                    return "postgresql+psycopg://" + url[len(prefix) :]
            return url
        return f"sqlite:///{(self.home / 'catalog.sqlite3').resolve()}"

    @property
    def model_cache_dir(self) -> Path:
        return self.model_cache or self.home / "models"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"


def section_values(env: Mapping[str, str], names: Mapping[str, str]) -> dict[str, object]:
    """The values a section's variables set (empty ones count as unset)."""
    return {field: env[name] for name, field in names.items() if env.get(name)}


def drop_none(overrides: Mapping[str, object]) -> dict[str, object]:
    return {k: v for k, v in overrides.items() if v is not None}


def check_known(env: Mapping[str, str], known: Collection[str]) -> None:
    """Raise ValueError naming every `EVIDENCE_*` variable that no section knows."""
    unknown = sorted(k for k in env if k.startswith("EVIDENCE_") and k not in known)
    if unknown:
        raise ValueError(
            f"unknown setting(s) {', '.join(unknown)}; known settings: {', '.join(sorted(known))}"
        )


# Every variable of every section, so a script that builds the library's section alone still
# refuses a typo and accepts the others' variables. evidence.settings checks it matches.
KNOWN = frozenset(
    {
        *ENVIRONMENT,
        "EVIDENCE_MAX_FILE_MB", "EVIDENCE_CHUNK_TOKENS", "EVIDENCE_CHUNK_OVERLAP",
        "EVIDENCE_FILE_SECONDS", "EVIDENCE_FILE_MEMORY_MB", "EVIDENCE_OCR",
        "EVIDENCE_OCR_PAGE_SECONDS", "EVIDENCE_OCR_MAX_PAGES",
        "EVIDENCE_SLACK_STAFF", "EVIDENCE_TEAMS_STAFF", "EVIDENCE_SLACK_FILE_HOSTS",
        "EVIDENCE_TEAMS_FILE_HOSTS", "EVIDENCE_TEAMS_SERVICE_HOSTS",
    }
)  # fmt: skip
