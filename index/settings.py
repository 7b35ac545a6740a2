"""The one settings object per process, read from the environment at the edge."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_MODEL = "bundled:all-MiniLM-L6-v2"
Backend = Literal["torch", "onnx", "onnx-int8"]
DEFAULT_BACKEND: Backend = "onnx-int8"

# Environment variable -> settings field. Platform names are kept as the platforms spell them.
ENVIRONMENT: dict[str, str] = {
    "EVIDENCE_HOME": "home",
    "DATABASE_URL": "database_url",
    "EVIDENCE_MODEL": "model",
    "EVIDENCE_EMBEDDING_BACKEND": "embedding_backend",
    "EVIDENCE_MODEL_CACHE": "model_cache",
    "EVIDENCE_MAX_FILE_MB": "max_file_mb",
    "EVIDENCE_CHUNK_TOKENS": "chunk_tokens",
    "EVIDENCE_CHUNK_OVERLAP": "chunk_overlap",
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
    "EVIDENCE_SLACK_STAFF": "slack_staff",
    "SLACK_BOT_TOKEN": "slack_bot_token",
    "SLACK_SIGNING_SECRET": "slack_signing_secret",
    "SLACK_APP_TOKEN": "slack_app_token",
    "SLACK_API_URL": "slack_api_url",
    "EVIDENCE_TEAMS_STAFF": "teams_staff",
    "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": "teams_client_id",
    "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET": "teams_client_secret",
    "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID": "teams_tenant_id",
    "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED": "teams_anonymous_allowed",
    "PORT": "port",
}


class Settings(BaseModel):
    """Where the library lives and how it behaves; see docs/settings.md."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    home: Path = Field(default=Path("evidence-library"))
    database_url: str | None = None
    model: str = DEFAULT_MODEL
    embedding_backend: Backend = DEFAULT_BACKEND
    model_cache: Path | None = None  # ONNX exports of the model; None: `models/` in `home`
    max_file_mb: float = 100.0
    chunk_tokens: int = Field(default=180, ge=32, le=250)
    chunk_overlap: int = Field(default=30, ge=0, le=100)
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
    slack_staff: str = ""  # comma-separated Slack user ids (U...) and user group ids (S...)
    slack_bot_token: str | None = Field(default=None, repr=False)
    slack_signing_secret: str | None = Field(default=None, repr=False)
    slack_app_token: str | None = Field(default=None, repr=False)
    slack_api_url: str = "https://slack.com/api/"
    teams_staff: str = ""  # comma-separated Entra object ids of evidence staff
    teams_client_id: str | None = None  # the bot's Entra app registration (single-tenant)
    teams_client_secret: str | None = Field(default=None, repr=False)
    teams_tenant_id: str | None = None
    teams_anonymous_allowed: bool = False  # local testing only: no Bot Connector tokens checked
    port: int = Field(default=3000, ge=0, le=65535)

    @classmethod
    def from_environ(
        cls, environ: Mapping[str, str] | None = None, **overrides: object
    ) -> Settings:
        """Build settings from `EVIDENCE_*`/platform variables, then explicit overrides.

        Raises:
            ValueError: an `EVIDENCE_*` variable this program does not know (a typo, say).
        """
        env = os.environ if environ is None else environ
        unknown = sorted(k for k in env if k.startswith("EVIDENCE_") and k not in ENVIRONMENT)
        if unknown:
            known = ", ".join(sorted(ENVIRONMENT))
            raise ValueError(f"unknown setting(s) {', '.join(unknown)}; known settings: {known}")
        values: dict[str, object] = {
            field: env[name] for name, field in ENVIRONMENT.items() if env.get(name)
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)

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
    def staff_ids(self) -> tuple[str, ...]:
        return tuple(x.strip() for x in self.slack_staff.split(",") if x.strip())

    @property
    def teams_staff_ids(self) -> tuple[str, ...]:
        return tuple(x.strip().casefold() for x in self.teams_staff.split(",") if x.strip())

    @property
    def model_cache_dir(self) -> Path:
        return self.model_cache or self.home / "models"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"
