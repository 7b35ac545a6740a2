"""The Teams bot's section of the process settings: its Entra app registration and staff."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

# Environment variable -> field; the Agents SDK's own names, so Microsoft's documentation
# applies as written (see docs/settings.md).
ENVIRONMENT: dict[str, str] = {
    "EVIDENCE_TEAMS_STAFF": "staff",
    "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": "client_id",
    "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET": "client_secret",
    "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID": "tenant_id",
    "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED": "anonymous_allowed",
}


class TeamsSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    staff: str = ""  # comma-separated Entra object ids of evidence staff
    client_id: str | None = None  # the bot's Entra app registration (single-tenant)
    client_secret: str | None = Field(default=None, repr=False)
    tenant_id: str | None = None
    anonymous_allowed: bool = False  # local testing only: no Bot Connector tokens checked

    @property
    def staff_ids(self) -> tuple[str, ...]:
        return tuple(x.strip().casefold() for x in self.staff.split(",") if x.strip())
