"""What the token tests share: issuers, keys, claims, and (from :mod:`token_kit`) a real
HTTP key server on 127.0.0.1 and token signing and forging.

Tokens are signed with pyjwt and real keys; attacks the library refuses to
produce (``alg: none``, HS256 keyed with a public key) are assembled by hand.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from token_kit import (
    KeyServer,
    PrivateKey,
    forge,
    hs256_with_public_key,
    public_jwk,
    sign,
)

__all__ = [
    "AUDIENCE",
    "EC_A",
    "ISSUER_A",
    "ISSUER_B",
    "RSA_A",
    "RSA_ATTACKER",
    "RSA_B",
    "KeyServer",
    "PrivateKey",
    "claims_for",
    "forge",
    "hs256_with_public_key",
    "jwks",
    "public_jwk",
    "sign",
]

AUDIENCE = "https://pearl.example.com"
ISSUER_A = "https://idp-a.example.com"
ISSUER_B = "https://idp-b.example.com"

RSA_A = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_B = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_ATTACKER = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_A = ec.generate_private_key(ec.SECP256R1())


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
