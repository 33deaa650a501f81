"""PeaRL's own tokens: minted with the key ring, verified only as the kind they are."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest
from auth_world import AUDIENCE, forge, hs256_with_public_key, sign
from hypothesis import given
from hypothesis import strategies as st

from pearl_core.auth import MAX_TOKEN_BYTES, SigningKeyRing, TokenIssuer, TokenKind
from pearl_core.errors import ConfigurationError, Unauthenticated
from pearl_core.testing import FakeClock

PEARL = AUDIENCE
HOUR = timedelta(hours=1)

CLOCK = FakeClock()
RING = SigningKeyRing.generate(clock=CLOCK)


def _issuer(clock: FakeClock, ring: SigningKeyRing | None = None) -> TokenIssuer:
    ring = ring or SigningKeyRing.generate(clock=clock)
    return TokenIssuer(ring, issuer=PEARL, audience=PEARL, clock=clock)


def _reason(issuer: TokenIssuer, token: str, kind: TokenKind = TokenKind.ACCESS) -> str:
    with pytest.raises(Unauthenticated) as caught:
        issuer.verify(token, kind=kind)
    assert token not in str(caught.value)
    assert token not in repr(caught.value.to_dict())
    return str(caught.value.details["reason"])


def test_an_access_token_verifies_with_its_registered_claims(clock: FakeClock) -> None:
    issuer = _issuer(clock)
    token = issuer.mint(
        subject="usr_alice",
        org_id="org_eng",
        kind=TokenKind.ACCESS,
        ttl=timedelta(minutes=15),
        claims={"scope": "pearl"},
    )

    verified = issuer.verify(token, kind=TokenKind.ACCESS)

    assert (verified.issuer, verified.subject, verified.kind) == (
        PEARL,
        "usr_alice",
        TokenKind.ACCESS,
    )
    assert verified.expires_at == clock.now() + timedelta(minutes=15)
    assert verified.claims["org_id"] == "org_eng"
    assert verified.claims["scope"] == "pearl"
    assert verified.claims["token_use"] == "access"
    assert verified.claims["aud"] == PEARL
    assert verified.jti is not None
    assert {"iat", "nbf", "exp"} <= set(verified.claims)


@pytest.mark.parametrize(
    ("kind", "typ"),
    [(TokenKind.ACCESS, "at+jwt"), (TokenKind.REFRESH, "refresh+jwt"), (TokenKind.ID, "JWT")],
)
def test_each_kind_carries_its_own_typ_header(clock: FakeClock, kind: TokenKind, typ: str) -> None:
    issuer = _issuer(clock)
    token = issuer.mint(subject="usr_a", org_id="org_eng", kind=kind, ttl=HOUR, jti="fixed")

    header = jwt.get_unverified_header(token)

    assert header["typ"] == typ
    assert header["alg"] == "RS256"
    assert issuer.verify(token, kind=kind).jti == "fixed"


@pytest.mark.parametrize(
    ("minted", "presented"),
    [
        (TokenKind.REFRESH, TokenKind.ACCESS),
        (TokenKind.ACCESS, TokenKind.REFRESH),
        (TokenKind.ID, TokenKind.ACCESS),
        (TokenKind.ACCESS, TokenKind.ID),
    ],
)
def test_a_token_is_refused_as_another_kind(
    clock: FakeClock, minted: TokenKind, presented: TokenKind
) -> None:
    issuer = _issuer(clock)
    token = issuer.mint(subject="usr_a", org_id="org_eng", kind=minted, ttl=HOUR)

    assert _reason(issuer, token, presented) == "wrong_token_kind"


def test_a_refresh_token_relabelled_as_access_in_its_header_is_still_refused(
    clock: FakeClock,
) -> None:
    ring = SigningKeyRing.generate(clock=clock)
    issuer = _issuer(clock, ring)
    refresh = issuer.mint(subject="usr_a", org_id="org_eng", kind=TokenKind.REFRESH, ttl=HOUR)
    claims = jwt.decode(refresh, options={"verify_signature": False})
    kid, private_key = ring.signing_key()
    relabelled = sign(private_key, claims, kid=kid, headers={"typ": "at+jwt"})

    assert _reason(issuer, relabelled) == "wrong_token_kind"


def test_a_token_expires_after_its_lifetime_plus_the_leeway(clock: FakeClock) -> None:
    issuer = _issuer(clock)
    token = issuer.mint(subject="usr_a", org_id="org_eng", kind=TokenKind.ACCESS, ttl=HOUR)

    clock.advance(HOUR + timedelta(seconds=29))
    assert issuer.verify(token, kind=TokenKind.ACCESS).subject == "usr_a"
    clock.advance(timedelta(seconds=2))
    assert _reason(issuer, token) == "expired"


def test_a_token_is_not_valid_before_it_was_issued_beyond_the_leeway(clock: FakeClock) -> None:
    issuer = _issuer(clock)
    token = issuer.mint(subject="usr_a", org_id="org_eng", kind=TokenKind.ACCESS, ttl=HOUR)

    clock.set(clock.now() - timedelta(seconds=31))

    assert _reason(issuer, token) == "not_yet_valid"


def test_a_token_signed_by_another_ring_is_an_unknown_key(clock: FakeClock) -> None:
    ours, theirs = _issuer(clock), _issuer(clock)
    token = theirs.mint(subject="usr_a", org_id="org_eng", kind=TokenKind.ACCESS, ttl=HOUR)

    assert _reason(ours, token) == "unknown_key"


def test_a_tampered_payload_fails_the_signature(clock: FakeClock) -> None:
    issuer = _issuer(clock)
    token = issuer.mint(subject="usr_a", org_id="org_eng", kind=TokenKind.ACCESS, ttl=HOUR)
    header, _, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False}) | {"org_id": "org_other"}
    tampered = ".".join([header, forge({}, claims).split(".")[1], signature])

    assert _reason(issuer, tampered) == "bad_signature"


def test_alg_none_and_hs256_keyed_with_the_public_key_are_not_allowed(clock: FakeClock) -> None:
    ring = SigningKeyRing.generate(clock=clock)
    issuer = _issuer(clock, ring)
    kid, private_key = ring.signing_key()
    claims = jwt.decode(
        issuer.mint(subject="usr_a", org_id="org_eng", kind=TokenKind.ACCESS, ttl=HOUR),
        options={"verify_signature": False},
    )

    unsigned = forge({"alg": "none", "typ": "at+jwt", "kid": kid}, claims)
    confused = hs256_with_public_key(private_key, claims, kid=kid)

    assert _reason(issuer, unsigned) == "algorithm_not_allowed"
    assert _reason(issuer, confused) == "algorithm_not_allowed"


def test_a_token_for_another_audience_is_refused(clock: FakeClock) -> None:
    ring = SigningKeyRing.generate(clock=clock)
    elsewhere = TokenIssuer(ring, issuer=PEARL, audience="https://other.example", clock=clock)
    token = elsewhere.mint(subject="usr_a", org_id="org_eng", kind=TokenKind.ACCESS, ttl=HOUR)

    assert _reason(_issuer(clock, ring), token) == "bad_audience"


def test_a_token_missing_a_registered_claim_is_refused(clock: FakeClock) -> None:
    ring = SigningKeyRing.generate(clock=clock)
    issuer = _issuer(clock, ring)
    claims = jwt.decode(
        issuer.mint(subject="usr_a", org_id="org_eng", kind=TokenKind.ACCESS, ttl=HOUR),
        options={"verify_signature": False},
    )
    del claims["org_id"]
    kid, private_key = ring.signing_key()

    with pytest.raises(Unauthenticated) as caught:
        issuer.verify(
            sign(private_key, claims, kid=kid, headers={"typ": "at+jwt"}), kind=TokenKind.ACCESS
        )

    assert caught.value.details == {"reason": "missing_claim", "claim": "org_id"}


def test_an_oversize_token_is_refused_before_parsing(clock: FakeClock) -> None:
    issuer = _issuer(clock)
    token = issuer.mint(
        subject="usr_a",
        org_id="org_eng",
        kind=TokenKind.ACCESS,
        ttl=HOUR,
        claims={"padding": "x" * MAX_TOKEN_BYTES},
    )

    assert _reason(issuer, token) == "malformed"


@pytest.mark.parametrize("kid", ["../../etc/passwd", "' OR 1=1 --", "", "k" * 129, 7])
def test_a_kid_outside_the_allowed_shape_is_malformed(clock: FakeClock, kid: object) -> None:
    issuer = _issuer(clock)
    token = forge({"alg": "RS256", "typ": "at+jwt", "kid": kid}, {"iss": PEARL}, b"signature")

    assert _reason(issuer, token) == "malformed"


def test_minting_refuses_to_overwrite_registered_claims(clock: FakeClock) -> None:
    issuer = _issuer(clock)

    with pytest.raises(ValueError, match="set by the issuer"):
        issuer.mint(
            subject="usr_a",
            org_id="org_eng",
            kind=TokenKind.ACCESS,
            ttl=HOUR,
            claims={"aud": "https://elsewhere.example"},
        )


def test_a_leeway_above_two_minutes_is_a_configuration_error(clock: FakeClock) -> None:
    with pytest.raises(ConfigurationError):
        TokenIssuer(RING, issuer=PEARL, audience=PEARL, clock=clock, leeway=timedelta(seconds=121))


@given(
    st.one_of(
        st.text(max_size=300),
        st.from_regex(r"[A-Za-z0-9_-]{0,40}(\.[A-Za-z0-9_=-]{0,60}){0,4}", fullmatch=True),
    )
)
def test_arbitrary_strings_never_verify_and_raise_only_unauthenticated(garbage: str) -> None:
    issuer = TokenIssuer(RING, issuer=PEARL, audience=PEARL, clock=CLOCK)

    with pytest.raises(Unauthenticated):
        issuer.verify(garbage, kind=TokenKind.ACCESS)
