"""Token settings from a mapping: defaults, the JSON issuer list, and what is refused."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from pearl_core.auth import AuthSettings, TokenKind
from pearl_core.domain.enums import PrincipalKind, Role
from pearl_core.errors import ConfigurationError

PEARL = "https://pearl.example.com"
KEYCLOAK = {
    "issuer": "https://idp.example.com/realms/eng",
    "org_id": "org_eng",
    "kind": "human",
    "role_claim": "realm_access.roles",
    "role_map": {"pearl-reviewers": ["reviewer"], "eng": ["operator"]},
}
GITHUB = {
    "issuer": "https://token.actions.githubusercontent.com",
    "audience": "pearl-ci",
    "org_id": "org_eng",
    "kind": "service_account",
    "role_claim": "repository",
    "role_map": {"eng/payments": ["operator"]},
    "algorithms": ["RS256"],
    "token_kinds": ["id"],
}


def _settings(data_dir: Path, **env: str) -> AuthSettings:
    return AuthSettings.from_env(env, data_dir=data_dir)


def _setting_refused(data_dir: Path, **env: str) -> str:
    with pytest.raises(ConfigurationError) as caught:
        _settings(data_dir, **env)
    return str(caught.value.details["setting"])


def test_the_defaults_are_safe_and_keys_live_in_the_data_dir(tmp_path: Path) -> None:
    settings = _settings(tmp_path)

    assert settings.public_url is None
    assert settings.algorithms == ("RS256", "ES256")
    assert settings.leeway == timedelta(seconds=30)
    assert settings.keys_dir == tmp_path / "token-keys"
    assert settings.access_ttl == timedelta(minutes=15)
    assert settings.refresh_ttl == timedelta(days=30)
    assert settings.key_rotate_after == timedelta(days=30)
    assert settings.key_retain == timedelta(days=30, seconds=30)
    assert settings.trusted_issuers == ()


def test_every_variable_is_read(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        PEARL_PUBLIC_URL=PEARL,
        PEARL_JWT_ALGORITHMS="RS256, PS256",
        PEARL_JWT_LEEWAY_SECONDS="120",
        PEARL_TOKEN_KEYS_DIR=str(tmp_path / "elsewhere"),
        PEARL_ACCESS_TOKEN_TTL_SECONDS="300",
        PEARL_REFRESH_TOKEN_TTL_SECONDS="86_400",
        PEARL_TOKEN_KEY_ROTATE_DAYS="7",
        PEARL_OIDC_ISSUERS=json.dumps([KEYCLOAK, GITHUB]),
    )

    assert settings.algorithms == ("RS256", "PS256")
    assert (settings.leeway_s, settings.access_ttl_s, settings.refresh_ttl_s) == (120, 300, 86_400)
    assert settings.keys_dir == tmp_path / "elsewhere"
    assert settings.key_rotate_days == 7
    keycloak, github = settings.trusted_issuers
    assert keycloak.audience == PEARL
    assert keycloak.algorithms == ("RS256", "PS256")
    assert keycloak.jwks_uri is None
    assert keycloak.role_map["pearl-reviewers"] == (Role.REVIEWER,)
    assert (github.kind, github.audience, github.algorithms) == (
        PrincipalKind.SERVICE_ACCOUNT,
        "pearl-ci",
        ("RS256",),
    )
    assert github.token_kinds == (TokenKind.ID,)


@pytest.mark.parametrize("algorithms", ["HS256", "none", "RS256,HS512", "RS256,none", "ES384"])
def test_symmetric_and_unsigned_algorithms_are_refused(tmp_path: Path, algorithms: str) -> None:
    assert _setting_refused(tmp_path, PEARL_JWT_ALGORITHMS=algorithms) == "PEARL_JWT_ALGORITHMS"


@pytest.mark.parametrize("leeway", ["121", "-1", "3600", "thirty"])
def test_a_leeway_outside_zero_to_two_minutes_is_refused(tmp_path: Path, leeway: str) -> None:
    assert _setting_refused(tmp_path, PEARL_JWT_LEEWAY_SECONDS=leeway) == (
        "PEARL_JWT_LEEWAY_SECONDS"
    )


@pytest.mark.parametrize(
    "url", ["http://pearl.example.com", "https://pearl.example.com/?a=1", "pearl.example.com"]
)
def test_a_public_url_must_be_canonical_https(tmp_path: Path, url: str) -> None:
    assert _setting_refused(tmp_path, PEARL_PUBLIC_URL=url) == "PEARL_PUBLIC_URL"


def test_plain_http_public_url_is_allowed_on_localhost(tmp_path: Path) -> None:
    assert _settings(tmp_path, PEARL_PUBLIC_URL="http://127.0.0.1:8080").public_url


@pytest.mark.parametrize(
    "entry",
    [
        {**KEYCLOAK, "role_mpa": {}},
        {key: value for key, value in KEYCLOAK.items() if key != "org_id"},
        {**KEYCLOAK, "kind": "system"},
        {**KEYCLOAK, "role_map": {"eng": ["superuser"]}},
        {**KEYCLOAK, "role_map": {"eng": "operator"}},
        {**KEYCLOAK, "algorithms": ["HS256"]},
        {**KEYCLOAK, "algorithms": ["ES256"], "issuer": "https://x.example"},
        {**KEYCLOAK, "token_kinds": ["refresh"]},
        {**KEYCLOAK, "issuer": "http://idp.example.com"},
        {**KEYCLOAK, "issuer": PEARL},
        {**KEYCLOAK, "subject_claim": ["sub"]},
        {**GITHUB, "role_map": {"eng/payments": ["admin"]}},
    ],
)
def test_a_bad_issuer_entry_is_refused(tmp_path: Path, entry: dict[str, Any]) -> None:
    env = {"PEARL_PUBLIC_URL": PEARL, "PEARL_JWT_ALGORITHMS": "RS256"}

    assert _setting_refused(tmp_path, **env, PEARL_OIDC_ISSUERS=json.dumps([entry])) == (
        "PEARL_OIDC_ISSUERS"
    )


@pytest.mark.parametrize("raw", ["{not json", '{"issuer": "x"}', "[1]"])
def test_issuers_must_be_a_json_list_of_objects(tmp_path: Path, raw: str) -> None:
    assert _setting_refused(tmp_path, PEARL_OIDC_ISSUERS=raw) == "PEARL_OIDC_ISSUERS"


def test_an_issuer_without_audience_needs_the_public_url(tmp_path: Path) -> None:
    assert _setting_refused(tmp_path, PEARL_OIDC_ISSUERS=json.dumps([KEYCLOAK])) == (
        "PEARL_OIDC_ISSUERS"
    )
