"""`evidence teams serve` (the Procfile's teams:) and `evidence teams package` (the app zip)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from index import Settings

CREDENTIALS = (
    ("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID", "teams_client_id"),
    ("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET", "teams_client_secret"),
    ("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID", "teams_tenant_id"),
)
MANIFEST_SOURCE = Path(__file__).resolve().parents[1] / "teams"


def teams_command(settings: Settings, args: argparse.Namespace) -> int:
    if args.teams_command == "package":
        return package_command(settings, args)
    missing = [name for name, field in CREDENTIALS if not getattr(settings, field)]
    if missing and not settings.teams_anonymous_allowed:
        print(f"evidence teams serve: set {', '.join(missing)} first", file=sys.stderr)
        return 2
    if settings.teams_anonymous_allowed:
        print(
            "evidence teams serve: ANONYMOUS_ALLOWED is on, so requests without a Bot Connector "
            "token are answered; use this only for local testing",
            file=sys.stderr,
        )
    from bot.teams.server import serve

    app = build(settings)
    print(f"Teams: POST /api/messages on {args.host}:{settings.port}", flush=True)
    serve(app, args.host, settings.port)
    return 0


def build(settings: Settings) -> Any:
    """The aiohttp app over the library in `settings.home`, with the model loaded up front."""
    from bot.teams.app import TeamsBot
    from bot.teams.files import Staff
    from bot.teams.server import make_web_app
    from bot.uploads import Inbox
    from evidence.chat import open_chat

    chat = open_chat(settings)
    max_bytes = int(settings.max_file_mb * 1024 * 1024)
    inbox = Inbox(settings.home / "inbox", chat.load, max_bytes, "teams")
    bot = TeamsBot(chat.desk, chat.deliveries, staff=Staff(settings.teams_staff_ids), inbox=inbox)
    return make_web_app(bot, credentials(settings))


def credentials(settings: Settings) -> Any:
    from bot.teams.server import Credentials

    return Credentials(
        client_id=settings.teams_client_id,
        client_secret=settings.teams_client_secret,
        tenant_id=settings.teams_tenant_id,
        anonymous_allowed=settings.teams_anonymous_allowed,
    )


def package_command(settings: Settings, args: argparse.Namespace) -> int:
    from bot.teams.package import PackageError, build_package

    source = Path(args.source) if args.source else MANIFEST_SOURCE
    out = Path(args.out)
    try:
        manifest = build_package(source, settings.teams_client_id or "", out)
    except PackageError as error:
        print(f"evidence teams package: {error}", file=sys.stderr)
        return 2
    print(f"{out}: Teams app {manifest['name']['short']!r} for bot {manifest['id']}")
    return 0
