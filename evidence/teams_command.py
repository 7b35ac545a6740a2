"""`evidence teams serve` (the Procfile's teams:) and `evidence teams package` (the app zip)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.teams.settings import TeamsSettings
from evidence.settings import ProcessSettings

CREDENTIALS = (
    ("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID", "client_id"),
    ("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET", "client_secret"),
    ("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID", "tenant_id"),
)
MANIFEST_SOURCE = Path(__file__).resolve().parents[1] / "teams"


def teams_command(process: ProcessSettings, args: argparse.Namespace) -> int:
    teams = process.teams
    if args.teams_command == "package":
        return package_command(process, args)
    missing = [name for name, field in CREDENTIALS if not getattr(teams, field)]
    if missing and not teams.anonymous_allowed:
        print(f"evidence teams serve: set {', '.join(missing)} first", file=sys.stderr)
        return 2
    if teams.anonymous_allowed:
        print(
            "evidence teams serve: ANONYMOUS_ALLOWED is on, so requests without a Bot Connector "
            "token are answered; use this only for local testing",
            file=sys.stderr,
        )
    from bot.teams.server import serve

    app = build(process)
    print(f"Teams: POST /api/messages on {args.host}:{process.port}", flush=True)
    serve(app, args.host, process.port)
    return 0


def build(process: ProcessSettings) -> Any:
    """The aiohttp app over the library in `process.library.home`, the model loaded up front."""
    from bot.hosts import Hosts
    from bot.teams.app import TeamsBot
    from bot.teams.files import Staff
    from bot.teams.server import make_web_app
    from bot.uploads import Inbox, Rules
    from evidence.chat import open_chat

    chat = open_chat(process)
    teams = process.teams
    rules = Rules(Hosts.parse(teams.file_hosts))
    inbox = Inbox(
        process.library.home / "inbox", chat.load, process.ingest.max_bytes, "teams", rules
    )
    bot = TeamsBot(
        chat.desk, chat.deliveries, staff=Staff(teams.staff_ids), inbox=inbox,
        file_hosts=rules.hosts,
    )  # fmt: skip
    return make_web_app(bot, credentials(teams), service_hosts=Hosts.parse(teams.service_hosts))


def credentials(settings: TeamsSettings) -> Any:
    from bot.teams.server import Credentials

    return Credentials(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        tenant_id=settings.tenant_id,
        anonymous_allowed=settings.anonymous_allowed,
    )


def package_command(process: ProcessSettings, args: argparse.Namespace) -> int:
    from bot.teams.package import PackageError, build_package

    source = Path(args.source) if args.source else MANIFEST_SOURCE
    out = Path(args.out)
    try:
        manifest = build_package(source, process.teams.client_id or "", out)
    except PackageError as error:
        print(f"evidence teams package: {error}", file=sys.stderr)
        return 2
    print(f"{out}: Teams app {manifest['name']['short']!r} for bot {manifest['id']}")
    return 0
