"""``pearl service-accounts`` and ``pearl keys``: accounts owned by their creator,
keys scoped to one role the account holds, shown once, checked as the server
checks them, and dead once revoked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from identity_cli import (
    ADMIN,
    OPERATOR,
    OPERATOR_PASSWORD,
    REVIEWER,
    Cli,
    with_admin,
    with_user,
)

#: What the service_account role grants a service account (pearl_core.authz.PERMISSIONS).
AGENT_PERMISSIONS = sorted(
    [
        "approvals:read",
        "approvals:request",
        "findings:read",
        "findings:triage",
        "packets:read",
        "packets:work",
        "policy:read",
        "project:read",
    ]
)


@pytest.fixture
def pearl(tmp_path: Path) -> Cli:
    cli = Cli(tmp_path)
    with_admin(cli)
    with_user(cli, OPERATOR, "operator")
    return cli


def account(pearl: Cli, owner: str = OPERATOR) -> dict[str, Any]:
    created: dict[str, Any] = pearl.as_user(
        owner, "service-accounts", "create", "ci-bot", "--json"
    ).json()
    return created


def mint(pearl: Cli, *extra: str, user: str = OPERATOR) -> dict[str, Any]:
    minted: dict[str, Any] = pearl.as_user(
        user,
        "keys",
        "create",
        "--service-account",
        "ci-bot",
        "--role",
        "service_account",
        "--json",
        *extra,
    ).json()
    return minted


def test_an_operator_owns_the_account_and_its_key_carries_the_roles_permissions(
    pearl: Cli,
) -> None:
    created = account(pearl)

    result = pearl.as_user(
        OPERATOR,
        "keys",
        "create",
        "--service-account",
        "ci-bot",
        "--role",
        "service_account",
        "--json",
    )

    minted = result.json()
    assert minted["key"].startswith(f"pearl_{minted['key_id']}_")
    assert minted["scopes"] == AGENT_PERMISSIONS
    assert "only time the key is shown" in result.err
    assert OPERATOR_PASSWORD not in result.text
    principal = pearl.resolve(minted["key"])
    assert principal is not None
    assert principal.subject_id == created["service_account_id"]
    assert principal.owner_user_id == created["owner_user_id"]
    assert sorted(str(s) for s in principal.scopes or ()) == AGENT_PERMISSIONS


def test_the_account_belongs_to_the_human_who_created_it(pearl: Cli) -> None:
    created = account(pearl)
    users = pearl.as_user(ADMIN, "users", "list", "--json").json()

    operator_id = next(u["user_id"] for u in users if u["email"] == OPERATOR)
    assert created["owner_user_id"] == operator_id
    listed = pearl.as_user(OPERATOR, "service-accounts", "list", "--json").json()
    assert [a["name"] for a in listed] == ["ci-bot"]


def test_scopes_narrow_the_key_and_expiry_is_in_days(pearl: Cli) -> None:
    account(pearl)

    minted = mint(pearl, "--scope", "packets:read", "--scope", "packets:work", "--expires", "7")

    assert minted["scopes"] == ["packets:read", "packets:work"]
    principal = pearl.resolve(minted["key"])
    assert principal is not None
    assert principal.scopes == frozenset({"packets:read", "packets:work"})


@pytest.mark.parametrize(
    "argv",
    [
        ("--role", "operator"),  # a role the account lacks
        ("--role", "service_account", "--scope", "findings:ingest"),  # beyond the role
        ("--role", "service_account", "--scope", "approvals:decide"),  # humans only
    ],
)
def test_a_key_beyond_the_accounts_role_is_refused(pearl: Cli, argv: tuple[str, ...]) -> None:
    account(pearl)

    result = pearl.as_user(OPERATOR, "keys", "create", "--service-account", "ci-bot", *argv)

    assert result.error_code() == "forbidden"
    assert result.out == ""
    assert pearl.as_user(OPERATOR, "keys", "list", "--json").json() == []


def test_only_the_owner_or_an_admin_mints_and_a_reviewer_not_at_all(pearl: Cli) -> None:
    account(pearl)
    with_user(pearl, REVIEWER, "reviewer")

    assert mint(pearl, user=ADMIN)["key_id"]
    refused = pearl.as_user(
        REVIEWER, "keys", "create", "--service-account", "ci-bot", "--role", "service_account"
    )
    assert refused.error_code() == "forbidden"


def test_the_local_operator_mints_for_an_account_it_owns(pearl: Cli) -> None:
    pearl("service-accounts", "create", "local-bot", "--json").json()

    minted = pearl(
        "keys", "create", "--service-account", "local-bot", "--role", "service_account", "--json"
    ).json()
    others = pearl("keys", "create", "--service-account", "ci-bot", "--role", "service_account")

    assert pearl.resolve(minted["key"]) is not None
    assert others.error_code() == "not_found"  # ci-bot does not exist yet
    account(pearl)
    foreign = pearl("keys", "create", "--service-account", "ci-bot", "--role", "service_account")
    assert foreign.error_code() == "forbidden"  # the operator user owns it


def test_keys_list_never_shows_a_secret_or_a_digest(pearl: Cli) -> None:
    account(pearl)
    minted = mint(pearl)
    secret = str(minted["key"]).rsplit("_", 1)[1]

    listed = pearl.as_user(OPERATOR, "keys", "list", "--service-account", "ci-bot", "--json")
    text = pearl.as_user(OPERATOR, "keys", "list")

    assert [k["key_id"] for k in listed.json()] == [minted["key_id"]]
    for output in (listed.text, text.text):
        assert secret not in output
        assert "digest" not in output


def test_a_revoked_key_stops_resolving(pearl: Cli) -> None:
    account(pearl)
    minted = mint(pearl)
    assert pearl.resolve(minted["key"]) is not None

    revoked = pearl.as_user(OPERATOR, "keys", "revoke", minted["key_id"], "--json").json()
    again = pearl.as_user(OPERATOR, "keys", "revoke", minted["key_id"])

    assert revoked["revoked_at"] is not None
    assert pearl.resolve(minted["key"]) is None
    assert again.error_code() == "invalid_transition"
