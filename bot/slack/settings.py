"""The Slack app's section of the process settings: its tokens, API address and staff."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

# Environment variable -> field; Slack's own names as Slack spells them (see docs/settings.md).
ENVIRONMENT: dict[str, str] = {
    "EVIDENCE_SLACK_STAFF": "staff",
    "EVIDENCE_SLACK_FILE_HOSTS": "file_hosts",
    # Variable names, not secrets:
    "SLACK_BOT_TOKEN": "bot_token",  # nosec B105
    "SLACK_SIGNING_SECRET": "signing_secret",  # nosec B105
    "SLACK_APP_TOKEN": "app_token",  # nosec B105
    "SLACK_API_URL": "api_url",
}


class SlackSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    staff: str = ""  # comma-separated Slack user ids (U...) and user group ids (S...)
    bot_token: str | None = Field(default=None, repr=False)
    signing_secret: str | None = Field(default=None, repr=False)
    app_token: str | None = Field(default=None, repr=False)
    api_url: str = "https://slack.com/api/"
    # Where files staff send may be fetched from, with the bot token (see bot/hosts.py).
    file_hosts: str = "files.slack.com"

    @property
    def staff_ids(self) -> tuple[str, ...]:
        return tuple(x.strip() for x in self.staff.split(",") if x.strip())
