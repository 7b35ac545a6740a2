"""The HTTP endpoint: `POST /api/messages` behind the SDK's JWT check, served by aiohttp."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import (
    CloudAdapter,
    jwt_authorization_decorator,
    start_agent_process,
)
from microsoft_agents.hosting.core import AgentApplication, AgentAuthConfiguration

from bot.teams.app import TeamsBot, build_agent

BACKLOG = 128  # Teams delivers in bursts; a reset connection counts as a failed delivery


@dataclass(frozen=True)
class Credentials:
    """The bot's single-tenant Entra app registration, as the Azure Bot resource knows it."""

    client_id: str | None
    client_secret: str | None
    tenant_id: str | None
    anonymous_allowed: bool = False  # local tests only: requests without a token are let in


def connections(credentials: Credentials) -> MsalConnectionManager:
    """The SDK's connection manager: validates Bot Connector tokens, gets tokens to reply."""
    values = {
        "CLIENTID": credentials.client_id,
        "CLIENTSECRET": credentials.client_secret,
        "TENANTID": credentials.tenant_id,
        "ANONYMOUS_ALLOWED": credentials.anonymous_allowed,
    }
    settings = {k: v for k, v in values.items() if v not in (None, "")}
    return MsalConnectionManager(CONNECTIONS={"SERVICE_CONNECTION": {"SETTINGS": settings}})


def make_web_app(bot: TeamsBot, credentials: Credentials) -> web.Application:
    """The aiohttp application: `POST /api/messages` (JWT-checked) and `GET /health`."""
    manager = connections(credentials)
    auth: AgentAuthConfiguration = manager.get_default_connection_configuration()
    adapter = CloudAdapter(connection_manager=manager)
    agent: AgentApplication[Any] = build_agent(bot, manager)

    async def messages(request: web.Request) -> web.StreamResponse:
        response = await start_agent_process(request, agent, adapter)
        return response if response is not None else web.Response(status=202)

    async def health(_request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def finish_answers(_app: web.Application) -> None:
        await bot.drain()

    app = web.Application()
    with warnings.catch_warnings():  # the SDK looks the settings up by this plain string key
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        app["agent_configuration"] = auth
    app.router.add_post("/api/messages", jwt_authorization_decorator(messages))
    app.router.add_get("/health", health)
    app.router.add_get("/", health)
    app.on_shutdown.append(finish_answers)
    return app


def serve(app: web.Application, host: str, port: int) -> None:
    """Serve until stopped (the Procfile's `teams:`)."""
    web.run_app(app, host=host, port=port, backlog=BACKLOG, print=None)
