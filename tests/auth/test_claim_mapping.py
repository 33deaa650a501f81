"""From a verified external token to a principal: IdP groups map to PeaRL roles."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
from auth_world import ISSUER_A

from pearl_core.auth import TokenKind, TokenVerifier, TrustedIssuer, VerifiedToken, http_fetch
from pearl_core.domain.enums import PrincipalKind, Role
from pearl_core.errors import ConfigurationError, Forbidden, Unauthenticated
from pearl_core.testing import FakeClock

GITHUB = "https://token.actions.githubusercontent.com"
HUMAN_MAP = {
    "pearl-admins": (Role.ADMIN,),
    "pearl-reviewers": (Role.REVIEWER,),
    "eng": (Role.OPERATOR, Role.VIEWER),
}


def _human(**more: Any) -> TrustedIssuer:
    return TrustedIssuer(
        issuer=ISSUER_A,
        audience="https://pearl.example.com",
        jwks_uri=f"{ISSUER_A}/jwks",
        org_id="org_eng",
        kind=PrincipalKind.HUMAN,
        role_map=more.pop("role_map", HUMAN_MAP),
        **more,
    )


def _github(role_map: Mapping[str, tuple[Role, ...]]) -> TrustedIssuer:
    return TrustedIssuer(
        issuer=GITHUB,
        audience="https://pearl.example.com",
        jwks_uri=f"{GITHUB}/.well-known/jwks",
        org_id="org_eng",
        kind=PrincipalKind.SERVICE_ACCOUNT,
        role_claim="repository",
        role_map=role_map,
    )


def _token(issuer: str, **claims: Any) -> VerifiedToken:
    subject = claims.pop("sub", "alice")
    return VerifiedToken(
        issuer=issuer,
        subject=subject,
        kind=TokenKind.ID,
        claims={"iss": issuer, "sub": subject, **claims},
        jti=None,
        expires_at=datetime(2030, 1, 1, tzinfo=UTC),
        key_id="k1",
    )


def _verifier(clock: FakeClock, *issuers: TrustedIssuer) -> TokenVerifier:
    return TokenVerifier(issuers, fetch=http_fetch(), clock=clock)


def test_groups_map_to_the_union_of_their_roles(clock: FakeClock) -> None:
    verifier = _verifier(clock, _human())

    principal = verifier.principal_for(
        _token(ISSUER_A, groups=["eng", "pearl-reviewers", "unmapped"], name="Alice A.")
    )

    assert principal.roles == {Role.OPERATOR, Role.VIEWER, Role.REVIEWER}
    assert principal.kind is PrincipalKind.HUMAN
    assert principal.org_id == "org_eng"
    assert principal.subject_id == f"{ISSUER_A}#alice"
    assert principal.display_name == "Alice A."


def test_a_nested_role_claim_is_read_by_its_dotted_path(clock: FakeClock) -> None:
    verifier = _verifier(clock, _human(role_claim="realm_access.roles"))

    principal = verifier.principal_for(_token(ISSUER_A, realm_access={"roles": ["pearl-admins"]}))

    assert principal.roles == {Role.ADMIN}


def test_a_token_whose_groups_grant_nothing_is_forbidden(clock: FakeClock) -> None:
    verifier = _verifier(clock, _human())

    with pytest.raises(Forbidden) as caught:
        verifier.principal_for(_token(ISSUER_A, groups=["marketing"]))

    assert caught.value.details["reason"] == "no_role"


def test_a_github_actions_token_maps_to_a_ci_service_account(clock: FakeClock) -> None:
    verifier = _verifier(clock, _github({"eng/payments": (Role.OPERATOR,)}))
    sub = "repo:eng/payments:ref:refs/heads/main"

    principal = verifier.principal_for(_token(GITHUB, sub=sub, repository="eng/payments"))

    assert principal.kind is PrincipalKind.SERVICE_ACCOUNT
    assert principal.roles == {Role.OPERATOR}
    assert principal.subject_id == f"{GITHUB}#{sub}"
    assert not principal.is_human


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.ADMIN])
def test_a_service_account_issuer_can_never_map_to_reviewer_or_admin(role: Role) -> None:
    with pytest.raises(ConfigurationError) as caught:
        _github({"eng/payments": (Role.OPERATOR, role)})

    assert caught.value.details["setting"] == "PEARL_OIDC_ISSUERS"


def test_a_human_issuer_cannot_map_to_the_service_account_role() -> None:
    with pytest.raises(ConfigurationError):
        _human(role_map={"bots": (Role.SERVICE_ACCOUNT,)})


def test_a_token_of_an_issuer_the_verifier_does_not_trust_maps_to_nothing(
    clock: FakeClock,
) -> None:
    verifier = _verifier(clock, _human())

    with pytest.raises(Unauthenticated) as caught:
        verifier.principal_for(_token(GITHUB, repository="eng/payments"))

    assert caught.value.details["reason"] == "unknown_issuer"


def test_a_subject_too_long_for_a_principal_is_refused_not_crashed(clock: FakeClock) -> None:
    verifier = _verifier(clock, _human())

    with pytest.raises(Unauthenticated) as caught:
        verifier.principal_for(_token(ISSUER_A, sub="s" * 250, groups=["eng"]))

    assert caught.value.details["reason"] == "malformed"
