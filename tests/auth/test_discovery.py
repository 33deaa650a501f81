"""OpenID Connect discovery over real HTTP: the document must name the issuer exactly."""

from __future__ import annotations

import pytest
from auth_world import RSA_A, KeyServer, claims_for, jwks, sign

from pearl_core.auth import TokenVerifier, TrustedIssuer, discover, http_fetch
from pearl_core.domain.enums import PrincipalKind, Role
from pearl_core.errors import Unauthenticated
from pearl_core.testing import FakeClock

pytestmark = pytest.mark.anyio

WELL_KNOWN = "/.well-known/openid-configuration"


def _discovered(issuer: str) -> TrustedIssuer:
    return TrustedIssuer(
        issuer=issuer,
        audience="https://pearl.example.com",
        org_id="org_eng",
        kind=PrincipalKind.HUMAN,
        role_map={"eng": (Role.OPERATOR,)},
    )


async def test_discovery_returns_the_issuers_jwks_uri(key_server: KeyServer) -> None:
    issuer = key_server.url("/realms/eng")
    key_server.publish(
        f"/realms/eng{WELL_KNOWN}", {"issuer": issuer, "jwks_uri": key_server.url("/certs")}
    )

    provider = await discover(issuer, fetch=http_fetch())

    assert (provider.issuer, provider.jwks_uri) == (issuer, key_server.url("/certs"))


@pytest.mark.parametrize("named", ["{issuer}/", "https://evil.example.com", None])
async def test_a_document_naming_another_issuer_is_refused(
    key_server: KeyServer, named: str | None
) -> None:
    issuer = key_server.url("/realms/eng")
    document = {"jwks_uri": key_server.url("/certs")}
    if named is not None:
        document["issuer"] = named.format(issuer=issuer)
    key_server.publish(f"/realms/eng{WELL_KNOWN}", document)

    with pytest.raises(Unauthenticated) as caught:
        await discover(issuer, fetch=http_fetch())

    assert caught.value.details["reason"] == "issuer_mismatch"


async def test_a_document_pointing_keys_at_plain_http_elsewhere_is_refused(
    key_server: KeyServer,
) -> None:
    issuer = key_server.url("")
    key_server.publish(WELL_KNOWN, {"issuer": issuer, "jwks_uri": "http://keys.example.com/"})

    with pytest.raises(Unauthenticated) as caught:
        await discover(issuer, fetch=http_fetch())

    assert caught.value.details["reason"] == "issuer_unavailable"


async def test_the_verifier_discovers_keys_once_and_then_verifies(
    key_server: KeyServer, clock: FakeClock
) -> None:
    issuer = key_server.url("/realms/eng")
    certs = key_server.publish("/certs", jwks((RSA_A, "a1", "RS256")))
    key_server.publish(f"/realms/eng{WELL_KNOWN}", {"issuer": issuer, "jwks_uri": certs})
    verifier = TokenVerifier([_discovered(issuer)], fetch=http_fetch(), clock=clock)
    token = sign(RSA_A, claims_for(issuer, clock.now()), kid="a1")

    for _ in range(3):
        assert (await verifier.verify(token)).issuer == issuer

    assert key_server.requests == {f"/realms/eng{WELL_KNOWN}": 1, "/certs": 1}


async def test_a_failed_discovery_is_retried_only_after_the_cooldown(
    key_server: KeyServer, clock: FakeClock
) -> None:
    issuer = key_server.url("/realms/eng")
    verifier = TokenVerifier([_discovered(issuer)], fetch=http_fetch(), clock=clock)
    token = sign(RSA_A, claims_for(issuer, clock.now()), kid="a1")

    for _ in range(5):
        with pytest.raises(Unauthenticated) as caught:
            await verifier.verify(token)
        assert caught.value.details["reason"] == "issuer_unavailable"

    assert key_server.total == 1
