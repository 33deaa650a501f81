"""Real local JWKS and discovery server, and token signing and forging helpers, shared by the
auth unit tests and the security attack suite: :class:`KeyServer` serves JSON documents by
path on 127.0.0.1 and counts every request, so tests can prove what PeaRL fetched (and what
it never fetched); tokens are signed with pyjwt and real keys, and the attacks pyjwt refuses
to produce (``alg: none``, HS256 keyed with a public key) are assembled by hand.
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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


class KeyServer:
    """A real HTTP server on 127.0.0.1 serving JSON documents by path, counting requests.

    ``redirects`` maps a path to a ``Location`` answered with 302. ``arrived`` is set by
    the first request; ``gate``, when set, makes every request wait for it (to hold a
    fetch in flight)."""

    def __init__(self) -> None:
        self.documents: dict[str, bytes] = {}
        self.redirects: dict[str, str] = {}
        self.requests: Counter[str] = Counter()
        self.arrived = threading.Event()
        self.gate: threading.Event | None = None
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with server._lock:
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
                """Quiet: tests read the counters, not a log."""

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self.requests.values())

    def count(self, path: str) -> int:
        with self._lock:
            return self.requests[path]

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
    """The public half of ``key`` as a signing JWK; ``alg`` is omitted when ``None``."""
    if isinstance(key, rsa.RSAPrivateKey):
        jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    else:
        jwk = ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
    jwk.pop("key_ops", None)
    return {**jwk, "kid": kid, "use": "sig", **({"alg": alg} if alg else {})}


def sign(
    key: PrivateKey,
    claims: Mapping[str, Any],
    *,
    kid: str,
    alg: str = "RS256",
    typ: str | None = None,
    headers: Mapping[str, Any] | None = None,
) -> str:
    """A token signed by pyjwt; ``typ``, when given, wins over a ``typ`` in ``headers``."""
    header: dict[str, Any] = {"kid": kid, **(headers or {})}
    if typ is not None:
        header["typ"] = typ
    return jwt.encode(dict(claims), key, algorithm=alg, headers=header)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def forge(header: Mapping[str, Any], claims: Mapping[str, Any], signature: bytes = b"") -> str:
    """A compact JWS assembled by hand, with whatever header and signature an attacker likes."""
    return ".".join(
        [b64(json.dumps(header).encode()), b64(json.dumps(claims).encode()), b64(signature)]
    )


def hs256_with_public_key(
    key: PrivateKey, claims: Mapping[str, Any], *, kid: str, typ: str = "JWT"
) -> str:
    """The classic key-confusion token: HMAC-SHA256 keyed with the issuer's public key PEM."""
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    unsigned = forge({"alg": "HS256", "typ": typ, "kid": kid}, claims).rsplit(".", 1)[0]
    mac = hmac.new(pem, unsigned.encode("ascii"), hashlib.sha256).digest()
    return f"{unsigned}.{b64(mac)}"
