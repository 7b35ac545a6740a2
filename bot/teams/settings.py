"""The Teams bot's section of the process settings: its Entra app registration and staff."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

# Environment variable -> field; the Agents SDK's own names, so Microsoft's documentation
# applies as written (see docs/settings.md).
ENVIRONMENT: dict[str, str] = {
    "EVIDENCE_TEAMS_STAFF": "staff",
    "EVIDENCE_TEAMS_FILE_HOSTS": "file_hosts",
    "EVIDENCE_TEAMS_SERVICE_HOSTS": "service_hosts",
    "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": "client_id",
    "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET": "client_secret",
    "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID": "tenant_id",
    "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED": "anonymous_allowed",
}


# Files sent in Teams live in the sender's OneDrive for Business, on SharePoint.
FILE_HOSTS = "*.sharepoint.com,*.sharepoint.us,*.sharepoint-mil.us,*.sharepoint.cn"
# The Bot Connector's service URLs Microsoft documents: public cloud, GCC, GCC High, DoD, and
# the Bot Framework's own channels.
SERVICE_HOSTS = (
    "smba.trafficmanager.net,*.botframework.com,smba.infra.gcc.teams.microsoft.com,"
    "smba.infra.gov.teams.microsoft.us,smba.infra.dod.teams.microsoft.us"
)


class TeamsSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    staff: str = ""  # comma-separated Entra object ids of evidence staff
    client_id: str | None = None  # the bot's Entra app registration (single-tenant)
    client_secret: str | None = Field(default=None, repr=False)
    tenant_id: str | None = None
    anonymous_allowed: bool = False  # local testing only: no Bot Connector tokens checked
    # Where a file's downloadUrl may point (OneDrive and SharePoint), and the Bot Connector
    # hosts an activity's serviceUrl may name: the bot sends its token there (bot/hosts.py).
    file_hosts: str = FILE_HOSTS
    service_hosts: str = SERVICE_HOSTS

    @property
    def staff_ids(self) -> tuple[str, ...]:
        return tuple(x.strip().casefold() for x in self.staff.split(",") if x.strip())
