"""A local double of Microsoft's signing-key endpoint, issuing real RS256 tokens.

Serves a JWKS document on 127.0.0.1 (optionally slowly, to stand for an outage) and signs tokens
with its key, so the Agents SDK's validator checks real signatures without the internet.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

KID = "test-key-1"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class KeyServer:
    """`with KeyServer() as keys:` serves `keys.url`; `keys.token(claims)` signs with its key."""

    def __init__(self) -> None:
        self.key = new_key()
        self.delay = 0.0  # seconds before each answer
        self.fetches = 0
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        self.document = json.dumps({"keys": [{**jwk, "kid": KID, "use": "sig", "alg": "RS256"}]})
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.fetches += 1
                time.sleep(server.delay)
                body = server.document.encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the bot gave up waiting (the slow-service test): as intended

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._http.server_port}/keys"
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    def __enter__(self) -> KeyServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._thread.join(timeout=5)

    def token(
        self, claims: dict[str, Any], *, kid: str = KID, key: rsa.RSAPrivateKey | None = None
    ) -> str:
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": kid})
