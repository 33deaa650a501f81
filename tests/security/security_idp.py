"""The fake identity provider of the security suite, and token forging.

:class:`IdentityProvider` plays two OpenID Connect issuers on one
:class:`~token_kit.KeyServer` (a real ``http.server.ThreadingHTTPServer`` on
127.0.0.1 that counts every request, so tests can prove what PeaRL fetched and
what it never fetched): ``a`` (humans of ``org_alpha``, an RS256 and an ES256
key) and ``b`` (service accounts of ``org_beta``, RS256). Tokens are signed with
pyjwt and real keys; attacks pyjwt refuses to produce (``alg: none``, HS256 keyed
with a public key) are assembled by hand with :func:`forge`. Tokens here are
access tokens: :func:`sign` and :func:`hs256_with_public_key` put
``typ: at+jwt`` in the header unless told otherwise.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import token_kit
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from token_kit import KeyServer, PrivateKey, forge, public_jwk

__all__ = [
    "ATTACKER_KEY",
    "IdentityProvider",
    "Issuer",
    "KeyServer",
    "PrivateKey",
    "forge",
    "hs256_with_public_key",
    "public_jwk",
    "sign",
    "token_claims",
]

#: A key no trusted issuer ever published.
ATTACKER_KEY: Final = rsa.generate_private_key(public_exponent=65537, key_size=2048)


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
    """:func:`token_kit.sign`, typed ``at+jwt`` (an access token) unless ``typ`` says otherwise."""
    return token_kit.sign(key, claims, kid=kid, alg=alg, typ=typ, headers=headers)


def hs256_with_public_key(
    key: PrivateKey, claims: Mapping[str, Any], *, kid: str, typ: str = "at+jwt"
) -> str:
    """:func:`token_kit.hs256_with_public_key`, typed ``at+jwt`` unless ``typ`` says otherwise."""
    return token_kit.hs256_with_public_key(key, claims, kid=kid, typ=typ)
