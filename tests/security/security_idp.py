"""The fake identity provider of the security suite, and token forging.

:class:`KeyServer` is a real ``http.server.ThreadingHTTPServer`` on 127.0.0.1
that serves JSON documents by path and counts every request, so tests can
prove what PeaRL fetched (and what it never fetched). :class:`IdentityProvider`
plays two OpenID Connect issuers on one key server: ``a`` (humans of
``org_alpha``, an RS256 and an ES256 key) and ``b`` (service accounts of
``org_beta``, RS256). Tokens are signed with pyjwt and real keys; attacks pyjwt
refuses to produce (``alg: none``, HS256 keyed with a public key) are assembled
by hand with :func:`forge`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

#: A key no trusted issuer ever published.
ATTACKER_KEY: Final = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class KeyServer:
    """A real ``ThreadingHTTPServer`` on 127.0.0.1 serving JSON by path, counting requests."""

    def __init__(self) -> None:
        self.documents: dict[str, bytes] = {}
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with server._lock:
                    server.requests[self.path] += 1
                body = server.documents.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the suite reads the counters, not a log."""

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

    def publish(self, path: str, document: Any) -> str:
        self.documents[path] = json.dumps(document).encode()
        return self.base + path

    @contextmanager
    def running(self) -> Iterator[KeyServer]:
        thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._httpd.shutdown()
            self._httpd.server_close()
            thread.join(timeout=10)


def public_jwk(key: PrivateKey, kid: str, alg: str) -> dict[str, Any]:
    if isinstance(key, rsa.RSAPrivateKey):
        jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    else:
        jwk = ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
    jwk.pop("key_ops", None)
    return {**jwk, "kid": kid, "use": "sig", "alg": alg}


@dataclass(frozen=True)
class Issuer:
    """One issuer the fake IdP plays: its URL, its keys, its paths on the key server."""

    name: str
    url: str
    keys: Mapping[str, tuple[PrivateKey, str]]
    """kid → (private key, alg)."""

    @property
    def discovery_path(self) -> str:
        return f"/{self.name}/.well-known/openid-configuration"

    @property
    def jwks_path(self) -> str:
        return f"/{self.name}/jwks.json"


class IdentityProvider:
    """Two issuers on one key server: ``a`` (humans of org_alpha, RS256 and ES256 keys)
    and ``b`` (service accounts of org_beta, RS256)."""

    def __init__(self, server: KeyServer) -> None:
        self.server = server
        self.a = Issuer(
            "a",
            f"{server.base}/a",
            {
                "a-rsa-1": (
                    rsa.generate_private_key(public_exponent=65537, key_size=2048),
                    "RS256",
                ),
                "a-ec-1": (ec.generate_private_key(ec.SECP256R1()), "ES256"),
            },
        )
        self.b = Issuer(
            "b",
            f"{server.base}/b",
            {"b-rsa-1": (rsa.generate_private_key(public_exponent=65537, key_size=2048), "RS256")},
        )
        for issuer in (self.a, self.b):
            jwks_uri = server.publish(
                issuer.jwks_path,
                {"keys": [public_jwk(k, kid, alg) for kid, (k, alg) in issuer.keys.items()]},
            )
            server.publish(issuer.discovery_path, {"issuer": issuer.url, "jwks_uri": jwks_uri})

    def trusted_issuers(self) -> str:
        """``PEARL_OIDC_ISSUERS`` for the server."""
        return json.dumps(
            [
                {
                    "issuer": self.a.url,
                    "org_id": "org_alpha",
                    "kind": "human",
                    "role_claim": "groups",
                    "role_map": {
                        "pearl-operators": ["operator"],
                        "pearl-reviewers": ["reviewer"],
                    },
                },
                {
                    "issuer": self.b.url,
                    "org_id": "org_beta",
                    "kind": "service_account",
                    "role_claim": "groups",
                    "role_map": {"agents": ["service_account"]},
                },
            ]
        )

    def token(
        self,
        issuer: Issuer,
        audience: str,
        *,
        kid: str | None = None,
        typ: str | None = "at+jwt",
        headers: Mapping[str, Any] | None = None,
        **claims: Any,
    ) -> str:
        """A token of ``issuer`` signed with its key ``kid`` (its first by default);
        ``claims`` go to :func:`token_claims`."""
        kid = kid or next(iter(issuer.keys))
        key, alg = issuer.keys[kid]
        body = token_claims(issuer.url, audience, **claims)
        return sign(key, body, kid=kid, alg=alg, typ=typ, headers=headers)

    def fetches(self) -> int:
        """Discovery and JWKS requests to both issuers so far."""
        return self.server.total


def token_claims(
    issuer: str, audience: str, *, lifetime_s: int = 300, shift_s: int = 0, **overrides: Any
) -> dict[str, Any]:
    """Claims of a valid token issued ``shift_s`` seconds from now; ``None`` drops a claim."""
    at = int(time.time()) + shift_s
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": "alice",
        "aud": audience,
        "iat": at,
        "nbf": at,
        "exp": at + lifetime_s,
        "jti": secrets.token_hex(8),
        "groups": ["pearl-operators"],
        # An IdP's person acts as the PeaRL user with this email (org_alpha's operator).
        "email": "operator@alpha.test",
    }
    claims.update(overrides)
    return {name: value for name, value in claims.items() if value is not None}


def sign(
    key: PrivateKey,
    claims: Mapping[str, Any],
    *,
    kid: str,
    alg: str = "RS256",
    typ: str | None = "at+jwt",
    headers: Mapping[str, Any] | None = None,
) -> str:
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


def hs256_with_public_key(key: PrivateKey, claims: Mapping[str, Any], *, kid: str) -> str:
    """The classic key-confusion token: HMAC-SHA256 keyed with the issuer's public key PEM."""
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    unsigned = forge({"alg": "HS256", "typ": "at+jwt", "kid": kid}, claims).rsplit(".", 1)[0]
    mac = hmac.new(pem, unsigned.encode("ascii"), hashlib.sha256).digest()
    return f"{unsigned}.{b64(mac)}"
