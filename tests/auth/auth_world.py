"""What the token tests share: a real HTTP key server on 127.0.0.1, keys, and token forging.

Tokens are signed with pyjwt and real keys; attacks the library refuses to
produce (``alg: none``, HS256 keyed with a public key) are assembled by hand.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

AUDIENCE = "https://pearl.example.com"
ISSUER_A = "https://idp-a.example.com"
ISSUER_B = "https://idp-b.example.com"

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

RSA_A = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_B = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_ATTACKER = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_A = ec.generate_private_key(ec.SECP256R1())


class KeyServer:
    """A real HTTP server on 127.0.0.1 serving JSON documents by path, counting requests.

    ``gate``, when set, makes every request wait for it (to hold a fetch in flight)."""

    def __init__(self) -> None:
        self.documents: dict[str, bytes] = {}
        self.redirects: dict[str, str] = {}
        self.requests: Counter[str] = Counter()
        self.arrived = threading.Event()
        self.gate: threading.Event | None = None
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests[self.path] += 1
                server.arrived.set()
                if server.gate is not None:
                    server.gate.wait(timeout=10)
                if self.path in server.redirects:
                    self.send_response(302)
                    self.send_header("Location", server.redirects[self.path])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = server.documents.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    def url(self, path: str) -> str:
        return self.base + path

    def publish(self, path: str, document: Any) -> str:
        self.documents[path] = json.dumps(document).encode()
        return self.url(path)

    @contextmanager
    def running(self) -> Iterator[KeyServer]:
        thread = threading.Thread(target=self._httpd.serve_forever, args=(0.01,), daemon=True)
        thread.start()
        try:
            yield self
        finally:
            if self.gate is not None:
                self.gate.set()
            self._httpd.shutdown()
            self._httpd.server_close()
            thread.join(timeout=10)


def public_jwk(key: PrivateKey, kid: str, alg: str | None = None) -> dict[str, Any]:
    if isinstance(key, rsa.RSAPrivateKey):
        jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    else:
        jwk = ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
    jwk.pop("key_ops", None)
    return {**jwk, "kid": kid, "use": "sig", **({"alg": alg} if alg else {})}


def jwks(*entries: tuple[PrivateKey, str, str]) -> dict[str, Any]:
    return {"keys": [public_jwk(key, kid, alg) for key, kid, alg in entries]}


def claims_for(
    issuer: str, now: datetime, *, lifetime_s: int = 300, **overrides: Any
) -> dict[str, Any]:
    """Claims of a valid token issued at ``now``; ``None`` overrides drop a claim."""
    at = int(now.timestamp())
    base: dict[str, Any] = {
        "iss": issuer,
        "sub": "alice",
        "aud": AUDIENCE,
        "iat": at,
        "nbf": at,
        "exp": at + lifetime_s,
        "jti": "jti-1",
        "groups": ["eng"],
    }
    base.update(overrides)
    return {name: value for name, value in base.items() if value is not None}


def sign(
    key: PrivateKey,
    claims: Mapping[str, Any],
    *,
    kid: str,
    alg: str = "RS256",
    headers: Mapping[str, Any] | None = None,
) -> str:
    return jwt.encode(dict(claims), key, algorithm=alg, headers={"kid": kid, **(headers or {})})


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def forge(header: Mapping[str, Any], claims: Mapping[str, Any], signature: bytes = b"") -> str:
    """A compact JWS assembled by hand, with whatever header and signature an attacker likes."""
    return ".".join(
        [b64(json.dumps(header).encode()), b64(json.dumps(claims).encode()), b64(signature)]
    )


def hs256_with_public_key(key: PrivateKey, claims: Mapping[str, Any], *, kid: str) -> str:
    """The classic key-confusion token: HMAC-SHA256 keyed with the issuer's public key PEM."""
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    unsigned = forge({"alg": "HS256", "typ": "JWT", "kid": kid}, claims).rsplit(".", 1)[0]
    mac = hmac.new(pem, unsigned.encode("ascii"), hashlib.sha256).digest()
    return f"{unsigned}.{b64(mac)}"
