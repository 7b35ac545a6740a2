"""The HTTP endpoint: `POST /api/messages` behind the SDK's JWT check, served by aiohttp."""

from __future__ import annotations

import asyncio
import json
import logging
import warnings
from collections.abc import Awaitable, Callable
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
from microsoft_agents.hosting.core.authorization.jwt.jwt_token_validator import JwtTokenValidator

from bot.hosts import Hosts, host_of
from bot.limits import MAX_BODY, READ_TIMEOUT
from bot.teams.app import TeamsBot, build_agent
from bot.teams.keys import BoundedKeys
from bot.teams.settings import SERVICE_HOSTS

BACKLOG = 128  # Teams delivers in bursts; a reset connection counts as a failed delivery
# The Bot Connector signs with RS256 and names its key; anything else is refused before the SDK's
# validator sees it (which raises KeyError, a 500, on a token without `kid`).
ALGORITHM = "RS256"
REFUSED = {"error": "Invalid token or authentication failed."}
UNAVAILABLE = {"error": "The bot cannot take this activity now; try again."}
MICROSOFT = Hosts.parse(SERVICE_HOSTS)

log = logging.getLogger(__name__)


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
        "VALIDATE_ISSUER": True,  # only the Bot Connector's and the tenant's issuers
    }
    settings = {k: v for k, v in values.items() if v not in (None, "")}
    return MsalConnectionManager(CONNECTIONS={"SERVICE_CONNECTION": {"SETTINGS": settings}})


def token_problem(authorization: str) -> str | None:
    """Why a bearer token cannot be a Bot Connector token, read from its header alone; None when
    it may be one (the SDK then checks its signature, issuer, audience and expiry)."""
    import jwt

    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None  # the SDK refuses other schemes itself
    try:
        header = jwt.get_unverified_header(token.strip())
    except jwt.PyJWTError:
        return "not a JWT"
    if header.get("alg") != ALGORITHM:
        return f"algorithm {str(header.get('alg'))[:20]!r}, not {ALGORITHM}"
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid or len(kid) > 200:
        return "no signing key named"
    return None


def checked(handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> Any:
    """`handler` behind the SDK's JWT check, with tokens it would crash on refused first."""
    guarded = jwt_authorization_decorator(handler)

    async def wrapper(request: web.Request) -> web.StreamResponse:
        if (request.content_length or 0) > MAX_BODY:  # refused before a byte of it is read
            return web.json_response({"error": "The request body is too large."}, status=413)
        authorization = request.headers.get("Authorization")
        problem = token_problem(authorization) if authorization else None
        if problem:
            log.warning("refused a request: its token is %s", problem)
            return web.json_response(REFUSED, status=401)
        response: web.StreamResponse = await guarded(request)
        return response

    return wrapper


def service_problem(activity: Any, hosts: Hosts) -> str | None:
    """Why the bot must not reply to where this activity says; None when it may.

    The SDK sends its replies, and the bot's Entra token with them, to the activity's
    `serviceUrl`: only the Bot Connector's documented hosts are accepted.
    """
    if not isinstance(activity, dict):
        return "the activity is not a JSON object"
    url = activity.get("serviceUrl")
    if url is None or (isinstance(url, str) and hosts.allows(url)):
        return None
    return f"its serviceUrl host {host_of(str(url))[:100]!r} is not a Bot Connector host"


def make_web_app(
    bot: TeamsBot,
    credentials: Credentials,
    keys: BoundedKeys | None = None,
    *,
    service_hosts: Hosts = MICROSOFT,
    read_timeout: float = READ_TIMEOUT,
) -> web.Application:
    """The aiohttp application: `POST /api/messages` (JWT-checked) and `GET /health`.

    `keys` fetches the tokens' signing keys (bounded in time; `BoundedKeys()` when not given);
    activities naming a `serviceUrl` outside `service_hosts` are refused with 403.
    """
    # The SDK's validator fetches signing keys through a class-wide manager: ours bounds it.
    JwtTokenValidator._jwk_client_manager = keys or BoundedKeys()  # type: ignore[assignment]
    manager = connections(credentials)
    auth: AgentAuthConfiguration = manager.get_default_connection_configuration()
    adapter = CloudAdapter(connection_manager=manager)
    agent: AgentApplication[Any] = build_agent(bot, manager)

    async def messages(request: web.Request) -> web.StreamResponse:
        try:  # the whole body within read_timeout (aiohttp keeps it for the SDK's own read)
            body = await asyncio.wait_for(request.read(), read_timeout)
        except TimeoutError:
            return web.json_response({"error": "The body came too slowly."}, status=408)
        try:
            activity = json.loads(body)
        except ValueError:
            return web.json_response({"error": "The body is not valid JSON."}, status=400)
        if problem := service_problem(activity, service_hosts):
            log.warning("refused an activity: %s", problem)
            return web.json_response({"error": f"Refused: {problem}."}, status=403)
        try:
            response = await start_agent_process(request, agent, adapter)
        except Exception:  # Entra or the Bot Connector unreachable, say: Teams will redeliver
            log.exception("could not take a Teams activity; answered 503 so Teams tries again")
            return web.json_response(UNAVAILABLE, status=503, headers={"Retry-After": "5"})
        return response if response is not None else web.Response(status=202)

    async def health(_request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def finish_answers(_app: web.Application) -> None:
        await bot.drain()

    app = web.Application()
    with warnings.catch_warnings():  # the SDK looks the settings up by this plain string key
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        app["agent_configuration"] = auth
    app.router.add_post("/api/messages", checked(messages))
    app.router.add_get("/health", health)
    app.router.add_get("/", health)
    app.on_shutdown.append(finish_answers)
    return app


def serve(app: web.Application, host: str, port: int) -> None:
    """Serve until stopped (the Procfile's `teams:`)."""
    web.run_app(app, host=host, port=port, backlog=BACKLOG, print=None)
