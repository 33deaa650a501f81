"""Tokens: PeaRL's own (minted and verified with its rotating RS256 keys) and those of
external identity providers it trusts (verified against their published keys).

A pure library: no database, no server. The composition root builds it from
:class:`AuthSettings`::

    keys = SigningKeyRing.load_or_create(
        settings.keys_dir, clock=clock,
        rotate_after=settings.key_rotate_after, retain=settings.key_retain,
    )
    issuer = TokenIssuer(keys, issuer=url, audience=url, clock=clock, leeway=settings.leeway)
    verifier = TokenVerifier(
        settings.trusted_issuers, fetch=http_fetch(), clock=clock, leeway=settings.leeway
    )

Every token failure is :class:`~pearl_core.errors.Unauthenticated` with a
machine ``reason`` detail (see :mod:`pearl_core.auth.claims`); bad settings
are :class:`~pearl_core.errors.ConfigurationError`. Neither ever carries the
token or key material.
"""

from pearl_core.auth.claims import (
    ALLOWED_ALGORITHMS,
    DEFAULT_ALGORITHMS,
    MAX_TOKEN_BYTES,
    TokenKind,
    VerifiedToken,
    peek_issuer,
)
from pearl_core.auth.discovery import OidcProvider, discover
from pearl_core.auth.issuer import TYP_HEADERS, TokenIssuer
from pearl_core.auth.jwks import Fetch, JwksCache, http_fetch
from pearl_core.auth.keyring import SigningKeyRing
from pearl_core.auth.roles import groups_of
from pearl_core.auth.settings import AuthSettings
from pearl_core.auth.verify import TokenVerifier, TrustedIssuer

__all__ = [
    "ALLOWED_ALGORITHMS",
    "DEFAULT_ALGORITHMS",
    "MAX_TOKEN_BYTES",
    "TYP_HEADERS",
    "AuthSettings",
    "Fetch",
    "JwksCache",
    "OidcProvider",
    "SigningKeyRing",
    "TokenIssuer",
    "TokenKind",
    "TokenVerifier",
    "TrustedIssuer",
    "VerifiedToken",
    "discover",
    "groups_of",
    "http_fetch",
    "peek_issuer",
]
