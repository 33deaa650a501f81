"""PeaRL's own tokens: minted and verified with the keys of a :class:`SigningKeyRing`.

Three kinds, told apart twice — by the JOSE ``typ`` header and by the
``token_use`` claim — so that one can never stand in for another:

=========  ===============  ===============================================
kind       ``typ``          used for
=========  ===============  ===============================================
access     ``at+jwt``       calling PeaRL (RFC 9068 JWT access token)
refresh    ``refresh+jwt``  getting a new access token, nothing else
id         ``JWT``          telling a client who signed in
=========  ===============  ===============================================

Every token carries ``iss``, ``sub``, ``aud``, ``exp``, ``nbf``, ``iat``,
``jti``, ``org_id`` and ``token_use``; verification requires all of them.
Verifying a token whose key is in memory does no I/O and no network call: it
is one RSA signature check and a few dictionary lookups.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import timedelta
from types import MappingProxyType
from typing import Any, Final

import jwt

from pearl_core.auth.claims import (
    TokenKind,
    VerifiedToken,
    check_leeway,
    check_times,
    decode,
    optional_string,
    parse_unverified,
    refuse,
    string_claim,
)
from pearl_core.auth.keyring import SIGNING_ALGORITHM, SigningKeyRing
from pearl_core.clock import Clock

__all__ = ["TYP_HEADERS", "SigningKeyRing", "TokenIssuer", "TokenKind", "VerifiedToken"]

#: The JOSE ``typ`` header of each kind of token PeaRL mints.
TYP_HEADERS: Final = MappingProxyType(
    {TokenKind.ACCESS: "at+jwt", TokenKind.REFRESH: "refresh+jwt", TokenKind.ID: "JWT"}
)
_RESERVED: Final = frozenset(
    {"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "org_id", "token_use"}
)


class TokenIssuer:
    """Mints PeaRL's tokens and verifies them (its own tokens only)."""

    def __init__(
        self,
        keys: SigningKeyRing,
        *,
        issuer: str,
        audience: str,
        clock: Clock,
        leeway: timedelta = timedelta(seconds=30),
    ) -> None:
        self._keys = keys
        self.issuer = issuer
        self.audience = audience
        self._clock = clock
        self._leeway = check_leeway(leeway)

    def jwks(self) -> dict[str, Any]:
        """The public keys that verify this issuer's tokens (``/.well-known/jwks.json``)."""
        return self._keys.jwks()

    def mint(
        self,
        *,
        subject: str,
        org_id: str,
        kind: TokenKind,
        ttl: timedelta,
        claims: Mapping[str, Any] | None = None,
        jti: str | None = None,
    ) -> str:
        """A signed token of ``kind`` for ``subject``, valid from now for ``ttl``.

        ``claims`` add to the registered ones and may not replace any of them."""
        extra = dict(claims or {})
        if ttl <= timedelta(0) or not subject or not org_id:
            raise ValueError("a token needs a subject, an org and a positive lifetime")
        if clashing := sorted(_RESERVED.intersection(extra)):
            raise ValueError(f"claims {clashing} are set by the issuer")
        issued = int(self._clock.now().timestamp())
        payload = {
            **extra,
            "iss": self.issuer,
            "sub": subject,
            "aud": self.audience,
            "iat": issued,
            "nbf": issued,
            "exp": issued + int(ttl.total_seconds()),
            "jti": jti or secrets.token_urlsafe(24),
            "org_id": org_id,
            "token_use": kind.value,
        }
        kid, private_key = self._keys.signing_key()
        return jwt.encode(
            payload,
            private_key,
            algorithm=SIGNING_ALGORITHM,
            headers={"kid": kid, "typ": TYP_HEADERS[kind]},
        )

    def verify(self, token: str, *, kind: TokenKind) -> VerifiedToken:
        """``token`` verified as one of PeaRL's own tokens of ``kind``; ``Unauthenticated``
        (with a ``reason``) otherwise — ``wrong_token_kind`` for another kind."""
        unverified = parse_unverified(token)
        if unverified.alg != SIGNING_ALGORITHM:
            raise refuse("algorithm_not_allowed")
        kid = unverified.kid
        key = self._keys.public_key(kid)
        if key is None:
            raise refuse("unknown_key")
        claims = decode(
            token,
            key,
            issuer=self.issuer,
            audience=self.audience,
            required=("nbf", "jti", "org_id", "token_use"),
        )
        if unverified.header.get("typ") != TYP_HEADERS[kind] or claims["token_use"] != kind:
            raise refuse("wrong_token_kind", expected=kind.value)
        expires_at = check_times(claims, now=self._clock.now(), leeway=self._leeway)
        string_claim(claims, "org_id")
        return VerifiedToken(
            issuer=self.issuer,
            subject=string_claim(claims, "sub"),
            kind=kind,
            claims=MappingProxyType(claims),
            jti=optional_string(claims, "jti"),
            expires_at=expires_at,
            key_id=kid,
        )
