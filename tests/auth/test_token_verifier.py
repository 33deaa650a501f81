"""External tokens: verified against the issuer they name, with its keys only, over real HTTP."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import anyio
import pytest
from auth_world import (
    AUDIENCE,
    EC_A,
    ISSUER_A,
    ISSUER_B,
    RSA_A,
    RSA_ATTACKER,
    RSA_B,
    KeyServer,
    claims_for,
    forge,
    hs256_with_public_key,
    jwks,
    public_jwk,
    sign,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pearl_core.auth import MAX_TOKEN_BYTES, TokenKind, TokenVerifier, TrustedIssuer, http_fetch
from pearl_core.domain.enums import PrincipalKind
from pearl_core.errors import ConfigurationError, Unauthenticated
from pearl_core.testing import FakeClock

pytestmark = pytest.mark.anyio


def _trusted(
    issuer: str, jwks_uri: str, *, algorithms: Sequence[str] = ("RS256", "ES256"), **more: Any
) -> TrustedIssuer:
    return TrustedIssuer(
        issuer=issuer,
        audience=AUDIENCE,
        jwks_uri=jwks_uri,
        algorithms=tuple(algorithms),
        org_id="org_eng",
        kind=PrincipalKind.HUMAN,
        role_map={"eng": ("operator",)},  # type: ignore[dict-item]
        **more,
    )


@pytest.fixture
def verifier(key_server: KeyServer, clock: FakeClock) -> TokenVerifier:
    """Issuer A publishes RSA_A as "a1" and EC_A as "e1"; issuer B publishes RSA_B as "b1"."""
    a = key_server.publish("/a/jwks", jwks((RSA_A, "a1", "RS256"), (EC_A, "e1", "ES256")))
    b = key_server.publish("/b/jwks", jwks((RSA_B, "b1", "RS256")))
    return TokenVerifier(
        [_trusted(ISSUER_A, a), _trusted(ISSUER_B, b)], fetch=http_fetch(), clock=clock
    )


async def _reason(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(Unauthenticated) as caught:
        await verifier.verify(token)
    assert token not in str(caught.value)
    assert token not in json.dumps(caught.value.to_dict())
    return str(caught.value.details["reason"])


async def test_an_rs256_token_of_a_trusted_issuer_verifies(
    verifier: TokenVerifier, clock: FakeClock
) -> None:
    token = sign(RSA_A, claims_for(ISSUER_A, clock.now()), kid="a1", headers={"typ": "at+jwt"})

    verified = await verifier.verify(token)

    assert (verified.issuer, verified.subject, verified.kind, verified.key_id) == (
        ISSUER_A,
        "alice",
        TokenKind.ACCESS,
        "a1",
    )
    assert verified.expires_at == clock.now() + timedelta(seconds=300)


async def test_an_es256_token_verifies_and_a_cached_key_needs_no_fetch(
    verifier: TokenVerifier, key_server: KeyServer, clock: FakeClock
) -> None:
    token = sign(EC_A, claims_for(ISSUER_A, clock.now()), kid="e1", alg="ES256")

    for _ in range(20):
        verified = await verifier.verify(token)

    assert verified.kind is TokenKind.ID
    assert key_server.total == 1


async def test_a_ps256_token_verifies_with_a_key_published_for_ps256(
    key_server: KeyServer, clock: FakeClock
) -> None:
    uri = key_server.publish("/jwks", jwks((RSA_B, "p1", "PS256")))
    pss = TokenVerifier(
        [_trusted(ISSUER_A, uri, algorithms=("PS256",))], fetch=http_fetch(), clock=clock
    )
    token = sign(RSA_B, claims_for(ISSUER_A, clock.now()), kid="p1", alg="PS256")

    assert (await pss.verify(token)).key_id == "p1"


async def test_alg_none_is_not_allowed(verifier: TokenVerifier, clock: FakeClock) -> None:
    token = forge({"alg": "none", "kid": "a1"}, claims_for(ISSUER_A, clock.now()))

    assert await _reason(verifier, token) == "algorithm_not_allowed"


async def test_hs256_keyed_with_the_issuers_public_key_is_not_allowed(
    verifier: TokenVerifier, clock: FakeClock
) -> None:
    token = hs256_with_public_key(RSA_A, claims_for(ISSUER_A, clock.now()), kid="a1")

    assert await _reason(verifier, token) == "algorithm_not_allowed"


async def test_an_algorithm_off_the_issuers_list_is_not_allowed(
    key_server: KeyServer, clock: FakeClock
) -> None:
    uri = key_server.publish("/jwks", jwks((RSA_A, "a1", "RS256"), (EC_A, "e1", "ES256")))
    rsa_only = TokenVerifier(
        [_trusted(ISSUER_A, uri, algorithms=("RS256",))], fetch=http_fetch(), clock=clock
    )
    claims = claims_for(ISSUER_A, clock.now())

    assert await _reason(rsa_only, sign(EC_A, claims, kid="e1", alg="ES256")) == (
        "algorithm_not_allowed"
    )
    assert await _reason(rsa_only, sign(RSA_A, claims, kid="a1", alg="RS512")) == (
        "algorithm_not_allowed"
    )
    assert key_server.total == 0


async def test_an_algorithm_other_than_the_one_the_key_is_bound_to_is_not_allowed(
    key_server: KeyServer, clock: FakeClock
) -> None:
    uri = key_server.publish("/jwks", jwks((RSA_A, "a1", "RS256")))
    both = TokenVerifier(
        [_trusted(ISSUER_A, uri, algorithms=("RS256", "PS256"))], fetch=http_fetch(), clock=clock
    )
    token = sign(RSA_A, claims_for(ISSUER_A, clock.now()), kid="a1", alg="PS256")

    assert await _reason(both, token) == "algorithm_not_allowed"


@pytest.mark.parametrize(
    ("audience", "reason"),
    [(None, "missing_claim"), ("https://other.example.com", "bad_audience"), ([], "missing_claim")],
)
async def test_a_token_not_meant_for_pearl_is_refused(
    verifier: TokenVerifier, clock: FakeClock, audience: Any, reason: str
) -> None:
    claims = claims_for(ISSUER_A, clock.now())
    claims.pop("aud")
    if audience is not None:
        claims["aud"] = audience

    assert await _reason(verifier, sign(RSA_A, claims, kid="a1")) == reason


async def test_a_token_listing_pearl_among_its_audiences_verifies(
    verifier: TokenVerifier, clock: FakeClock
) -> None:
    claims = claims_for(ISSUER_A, clock.now(), aud=["https://other.example.com", AUDIENCE])

    assert (await verifier.verify(sign(RSA_A, claims, kid="a1"))).subject == "alice"


@pytest.mark.parametrize("claim", ["exp", "iat", "sub", "iss"])
async def test_a_token_missing_a_required_claim_is_refused(
    verifier: TokenVerifier, clock: FakeClock, claim: str
) -> None:
    token = sign(RSA_A, claims_for(ISSUER_A, clock.now(), **{claim: None}), kid="a1")

    expected = "unknown_issuer" if claim == "iss" else "missing_claim"
    assert await _reason(verifier, token) == expected


async def test_expiry_is_judged_by_the_injected_clock_with_a_bounded_leeway(
    verifier: TokenVerifier, clock: FakeClock
) -> None:
    token = sign(RSA_A, claims_for(ISSUER_A, clock.now(), lifetime_s=60), kid="a1")

    clock.advance(60 + 29)
    assert (await verifier.verify(token)).subject == "alice"
    clock.advance(2)
    assert await _reason(verifier, token) == "expired"


async def test_a_token_not_valid_yet_beyond_the_leeway_is_refused(
    verifier: TokenVerifier, clock: FakeClock
) -> None:
    at = int(clock.now().timestamp())
    within = claims_for(ISSUER_A, clock.now(), nbf=at + 29)
    beyond = claims_for(ISSUER_A, clock.now(), nbf=at + 31)

    assert (await verifier.verify(sign(RSA_A, within, kid="a1"))).subject == "alice"
    assert await _reason(verifier, sign(RSA_A, beyond, kid="a1")) == "not_yet_valid"


async def test_a_key_of_issuer_a_never_verifies_a_token_claiming_issuer_b(
    verifier: TokenVerifier, key_server: KeyServer, clock: FakeClock
) -> None:
    token = sign(RSA_A, claims_for(ISSUER_B, clock.now()), kid="a1")

    assert await _reason(verifier, token) == "unknown_key"
    assert key_server.requests == {"/b/jwks": 1}


async def test_a_token_of_an_issuer_nobody_trusts_is_refused_without_a_fetch(
    verifier: TokenVerifier, key_server: KeyServer, clock: FakeClock
) -> None:
    token = sign(RSA_ATTACKER, claims_for("https://evil.example.com", clock.now()), kid="a1")

    assert await _reason(verifier, token) == "unknown_issuer"
    assert key_server.total == 0


@pytest.mark.parametrize("kid", ["../../etc/passwd", "' OR 1=1 --", "a1/../../b1", "k" * 129])
async def test_an_injection_kid_is_malformed_and_never_fetched(
    verifier: TokenVerifier, key_server: KeyServer, clock: FakeClock, kid: str
) -> None:
    token = sign(RSA_A, claims_for(ISSUER_A, clock.now()), kid=kid)

    assert await _reason(verifier, token) == "malformed"
    assert key_server.total == 0


@pytest.mark.parametrize("header", ["jku", "x5u", "jwk", "x5c"])
async def test_key_location_headers_are_never_fetched_nor_used(
    verifier: TokenVerifier, attacker_server: KeyServer, clock: FakeClock, header: str
) -> None:
    attacker_uri = attacker_server.publish("/jwks", jwks((RSA_ATTACKER, "evil", "RS256")))
    embedded = public_jwk(RSA_ATTACKER, "evil", "RS256")
    value = {"jku": attacker_uri, "x5u": attacker_uri, "jwk": embedded, "x5c": [attacker_uri]}
    token = sign(
        RSA_ATTACKER,
        claims_for(ISSUER_A, clock.now()),
        kid="evil",
        headers={header: value[header]},
    )

    assert await _reason(verifier, token) == "unknown_key"
    assert attacker_server.total == 0


async def test_a_token_signed_by_an_attacker_under_a_real_kid_fails_the_signature(
    verifier: TokenVerifier, clock: FakeClock
) -> None:
    token = sign(RSA_ATTACKER, claims_for(ISSUER_A, clock.now()), kid="a1")

    assert await _reason(verifier, token) == "bad_signature"


async def test_an_oversize_token_is_refused_before_parsing(
    verifier: TokenVerifier, key_server: KeyServer, clock: FakeClock
) -> None:
    claims = claims_for(ISSUER_A, clock.now(), padding="x" * MAX_TOKEN_BYTES)

    assert await _reason(verifier, sign(RSA_A, claims, kid="a1")) == "malformed"
    assert key_server.total == 0


async def test_a_refresh_token_of_an_issuer_is_the_wrong_kind(
    verifier: TokenVerifier, clock: FakeClock
) -> None:
    token = sign(RSA_A, claims_for(ISSUER_A, clock.now()), kid="a1", headers={"typ": "refresh+jwt"})

    assert await _reason(verifier, token) == "wrong_token_kind"


async def test_an_id_token_is_refused_where_only_access_tokens_are_accepted(
    key_server: KeyServer, clock: FakeClock
) -> None:
    uri = key_server.publish("/jwks", jwks((RSA_A, "a1", "RS256")))
    access_only = TokenVerifier(
        [_trusted(ISSUER_A, uri, token_kinds=(TokenKind.ACCESS,))],
        fetch=http_fetch(),
        clock=clock,
    )
    claims = claims_for(ISSUER_A, clock.now())

    assert await _reason(access_only, sign(RSA_A, claims, kid="a1")) == "wrong_token_kind"
    access = sign(RSA_A, claims, kid="a1", headers={"typ": "application/at+jwt"})
    assert (await access_only.verify(access)).kind is TokenKind.ACCESS


async def test_a_leeway_above_the_maximum_is_a_configuration_error(clock: FakeClock) -> None:
    with pytest.raises(ConfigurationError):
        TokenVerifier([], fetch=http_fetch(), clock=clock, leeway=timedelta(minutes=3))
    with pytest.raises(ConfigurationError):
        TokenVerifier(
            [],
            fetch=http_fetch(),
            clock=clock,
            leeway=timedelta(seconds=45),
            max_leeway=timedelta(seconds=40),
        )


async def test_an_issuer_cannot_be_trusted_twice(key_server: KeyServer, clock: FakeClock) -> None:
    uri = key_server.url("/jwks")

    with pytest.raises(ConfigurationError):
        TokenVerifier(
            [_trusted(ISSUER_A, uri), _trusted(ISSUER_A, uri)], fetch=http_fetch(), clock=clock
        )


def _garbage() -> st.SearchStrategy[str]:
    json_values = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
        ),
        max_leaves=10,
    )
    header = st.fixed_dictionaries(
        {},
        optional={
            "alg": st.sampled_from(["RS256", "ES256", "none", "HS256", "PS256"])
            | st.text(max_size=8),
            "kid": st.sampled_from(["a1", "e1", "../x"]) | st.text(max_size=10),
            "typ": st.sampled_from(["JWT", "at+jwt"]) | json_values,
            "crit": json_values,
        },
    )
    payload = st.fixed_dictionaries(
        {},
        optional={
            "iss": st.sampled_from([ISSUER_A, ISSUER_B]) | json_values,
            "aud": st.just(AUDIENCE) | json_values,
            "exp": json_values,
            "iat": json_values,
            "sub": json_values,
        },
    )
    structured = st.builds(forge, header, payload, st.binary(max_size=64))
    return st.text(max_size=200) | structured | st.binary(max_size=100).map(lambda b: b.hex())


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(garbage=_garbage())
def test_arbitrary_tokens_never_verify_and_raise_only_unauthenticated(
    verifier: TokenVerifier, garbage: str
) -> None:
    async def attempt() -> None:
        with pytest.raises(Unauthenticated):
            await verifier.verify(garbage)

    anyio.run(attempt)
