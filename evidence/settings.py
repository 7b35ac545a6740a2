"""The one settings object of a process: each package's section, built once from the environment.

Each section is owned by its package (`index.Settings` for the library, `IngestSettings`,
`SlackSettings`, `TeamsSettings`) and lists its own variables; this module only puts them
together, with the HTTP port the servers listen on. An `EVIDENCE_*` variable that no section
knows is an error, so a typo cannot silently do nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from bot.slack.settings import ENVIRONMENT as SLACK
from bot.slack.settings import SlackSettings
from bot.teams.settings import ENVIRONMENT as TEAMS
from bot.teams.settings import TeamsSettings
from index import ENVIRONMENT as LIBRARY
from index import Settings, check_known, section_values
from ingest.settings import ENVIRONMENT as INGEST
from ingest.settings import IngestSettings

SERVER = {"PORT": "port"}
SECTIONS = {"library": LIBRARY, "ingest": INGEST, "slack": SLACK, "teams": TEAMS, "": SERVER}
# Every variable a process reads -> (section, field); "" is this object's own field.
ENVIRONMENT: dict[str, tuple[str, str]] = {
    name: (section, field) for section, names in SECTIONS.items() for name, field in names.items()
}


class ProcessSettings(BaseModel):
    """Everything one `evidence` process is configured with."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    library: Settings = Field(default_factory=Settings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    slack: SlackSettings = Field(default_factory=SlackSettings)
    teams: TeamsSettings = Field(default_factory=TeamsSettings)
    port: int = Field(default=3000, ge=0, le=65535)

    @classmethod
    def from_environ(
        cls, environ: Mapping[str, str], **library_overrides: object
    ) -> ProcessSettings:
        """Every section from its variables; `library_overrides` are command-line flags.

        Raises:
            ValueError: an `EVIDENCE_*` variable no section knows, or a value out of range.
        """
        check_known(environ, ENVIRONMENT)
        # The library's section is built as a script builds it alone: its variables, then flags.
        library = Settings.from_environ(environ, **library_overrides)
        return cls.model_validate(
            {
                "library": library,
                "ingest": section_values(environ, INGEST),
                "slack": section_values(environ, SLACK),
                "teams": section_values(environ, TEAMS),
                **section_values(environ, SERVER),
            }
        )
