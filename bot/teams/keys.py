"""Signing keys for Bot Connector tokens, fetched with a time limit and cached.

The Agents SDK's validator fetches the keys that sign a token from Microsoft's key endpoints
through PyJWT, with no bound we set (30 s by default, per fetch, on a worker thread). `BoundedKeys`
takes its place: each fetch has `timeout` seconds, keys are cached for an hour, and a fetch that
fails or is too slow raises PyJWT's own connection error, which the SDK turns into a 401, so a
request never hangs or ends in a 500. `endpoints` maps a key endpoint to another address (a
sovereign-cloud proxy, or a local double in tests); anything else is fetched as the SDK asks.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping
from typing import Any

KEY_TIMEOUT = 5.0  # seconds for one fetch of a key set
KEY_LIFESPAN = 3600  # seconds a fetched key set is trusted before it is fetched again


class BoundedKeys:
    """What the SDK's validator asks for a token's signing key, with bounds."""

    def __init__(
        self, timeout: float = KEY_TIMEOUT, endpoints: Mapping[str, str] | None = None
    ) -> None:
        self.timeout = timeout
        self.endpoints = dict(endpoints or {})
        self._clients: dict[str, tuple[Any, threading.Lock]] = {}
        self._lock = threading.Lock()

    def _client(self, uri: str) -> tuple[Any, threading.Lock]:
        from jwt import PyJWKClient

        with self._lock:
            if uri not in self._clients:
                client = PyJWKClient(uri, lifespan=KEY_LIFESPAN, timeout=self.timeout)
                self._clients[uri] = (client, threading.Lock())
            return self._clients[uri]

    async def get_signing_key(self, jwks_uri: str, header: dict[str, Any]) -> Any:
        """The key named by `header["kid"]` at `jwks_uri`; PyJWKClientConnectionError when the
        key service does not answer in time (the SDK refuses the request with 401)."""
        from jwt import PyJWKClientConnectionError

        client, lock = self._client(self.endpoints.get(jwks_uri, jwks_uri))

        def fetch() -> Any:
            with lock:
                return client.get_signing_key(header["kid"])

        try:
            return await asyncio.wait_for(asyncio.to_thread(fetch), self.timeout + 1.0)
        except TimeoutError as error:
            raise PyJWKClientConnectionError("the signing keys did not arrive in time") from error
