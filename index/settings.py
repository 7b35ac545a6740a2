"""The one settings object per process, read from the environment at the edge."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_MODEL = "bundled:all-MiniLM-L6-v2"

# Environment variable -> settings field. Platform names are kept as the platforms spell them.
ENVIRONMENT: dict[str, str] = {
    "EVIDENCE_HOME": "home",
    "DATABASE_URL": "database_url",
    "EVIDENCE_MODEL": "model",
    "EVIDENCE_MAX_FILE_MB": "max_file_mb",
    "EVIDENCE_CHUNK_TOKENS": "chunk_tokens",
    "EVIDENCE_CHUNK_OVERLAP": "chunk_overlap",
    "EVIDENCE_MIN_SCORE": "min_score",
    "EVIDENCE_PASSAGES": "passages",
    "EVIDENCE_PER_DOCUMENT": "per_document",
    "EVIDENCE_AUDIT_DAYS": "audit_days",
    "EVIDENCE_SLACK_STAFF": "slack_staff",
    "SLACK_BOT_TOKEN": "slack_bot_token",
    "SLACK_SIGNING_SECRET": "slack_signing_secret",
    "SLACK_APP_TOKEN": "slack_app_token",
    "SLACK_API_URL": "slack_api_url",
    "PORT": "port",
}


class Settings(BaseModel):
    """Where the library lives and how it behaves; see the README's settings table."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    home: Path = Field(default=Path("evidence-library"))
    database_url: str | None = None
    model: str = DEFAULT_MODEL
    max_file_mb: float = 100.0
    chunk_tokens: int = Field(default=180, ge=32, le=250)
    chunk_overlap: int = Field(default=30, ge=0, le=100)
    min_score: float = Field(default=0.52, ge=-1.0, le=1.0)
    passages: int = Field(default=5, ge=1, le=20)
    per_document: int = Field(default=2, ge=1, le=10)
    audit_days: int = Field(default=365, ge=1)
    slack_staff: str = ""  # comma-separated Slack user ids (U...) and user group ids (S...)
    slack_bot_token: str | None = Field(default=None, repr=False)
    slack_signing_secret: str | None = Field(default=None, repr=False)
    slack_app_token: str | None = Field(default=None, repr=False)
    slack_api_url: str = "https://slack.com/api/"
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
    def index_dir(self) -> Path:
        return self.home / "index"
