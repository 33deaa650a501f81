"""OpenID Connect discovery: where an issuer publishes its signing keys.

``GET {issuer}/.well-known/openid-configuration`` (OpenID Connect Discovery
1.0 §4). The document's ``issuer`` must equal the configured issuer exactly
(§4.3), or an attacker who controls the document could make PeaRL trust
someone else's keys; ``jwks_uri`` must be https (http only on loopback).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from pearl_core.auth.claims import refuse
from pearl_core.auth.jwks import Fetch, check_url
from pearl_core.errors import PearlError, Unauthenticated

__all__ = ["OidcProvider", "discover", "discovery_url"]


@dataclass(frozen=True, slots=True)
class OidcProvider:
    """What PeaRL needs from an issuer's discovery document."""

    issuer: str
    jwks_uri: str


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


async def discover(issuer: str, *, fetch: Fetch) -> OidcProvider:
    """Read ``issuer``'s discovery document; ``issuer_unavailable`` if it cannot be fetched
    or read, ``issuer_mismatch`` if it names another issuer."""
    url = discovery_url(issuer)
    check_url(url)
    try:
        document = json.loads(await fetch(url))
    except (PearlError, OSError, ValueError, RecursionError):
        raise refuse("issuer_unavailable", issuer=issuer) from None
    if not isinstance(document, dict):
        raise refuse("issuer_unavailable", issuer=issuer)
    if document.get("issuer") != issuer:
        raise refuse("issuer_mismatch", issuer=issuer)
    jwks_uri = document.get("jwks_uri")
    if not isinstance(jwks_uri, str):
        raise refuse("issuer_unavailable", issuer=issuer)
    try:
        check_url(jwks_uri)
    except Unauthenticated:
        raise refuse("issuer_unavailable", issuer=issuer) from None
    return OidcProvider(issuer=issuer, jwks_uri=jwks_uri)
