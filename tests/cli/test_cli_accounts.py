"""``pearl users``, ``pearl teams`` and ``pearl orgs``: an admin signed in with
``--user`` manages the org's people; the local operator cannot."""

from __future__ import annotations

from pathlib import Path

import pytest
from identity_cli import (
    ADMIN,
    ADMIN_PASSWORD,
    ORG,
    REVIEWER,
    REVIEWER_PASSWORD,
    Cli,
    with_admin,
    with_user,
)


@pytest.fixture
def pearl(tmp_path: Path) -> Cli:
    cli = Cli(tmp_path)
    with_admin(cli)
    return cli


def test_an_admin_creates_a_user_who_can_then_sign_in(pearl: Cli) -> None:
    result = pearl.as_user(
        ADMIN,
        "users",
        "create",
        REVIEWER,
        "--name",
        "Rey",
        "--role",
        "reviewer",
        "--with-password",
        "--json",
        PEARL_NEW_USER_PASSWORD=REVIEWER_PASSWORD,
    )

    created = result.json()
    assert (created["email"], created["roles"], created["org_id"]) == (
        REVIEWER,
        ["reviewer"],
        ORG,
    )
    assert REVIEWER_PASSWORD not in result.text
    assert ADMIN_PASSWORD not in result.text
    assert pearl.as_user(REVIEWER, "orgs", "show").code == 0
    listed = pearl.as_user(ADMIN, "users", "list", "--json").json()
    assert [u["email"] for u in listed] == [ADMIN, REVIEWER]


@pytest.mark.parametrize(
    "argv",
    [
        ("users", "list"),
        ("users", "create", "someone@example.com", "--role", "viewer"),
        ("users", "disable", ADMIN),
        ("teams", "create", "platform"),
        ("teams", "list"),
    ],
)
def test_the_local_operator_cannot_manage_people(pearl: Cli, argv: tuple[str, ...]) -> None:
    assert pearl(*argv).error_code() == "forbidden"


def test_a_wrong_password_is_unauthenticated_and_never_echoed(pearl: Cli) -> None:
    result = pearl(
        "users", "list", "--user", ADMIN, env={"PEARL_PASSWORD": "not-the-admin-password"}
    )

    assert result.error_code() == "unauthenticated"
    assert "not-the-admin-password" not in result.text


def test_the_password_prompt_is_hidden_and_goes_to_stderr(pearl: Cli) -> None:
    result = pearl("users", "list", "--user", ADMIN, "--json", input=f"{ADMIN_PASSWORD}\n")

    assert [u["email"] for u in result.json()] == [ADMIN]
    assert ADMIN_PASSWORD not in result.text
    assert "Password" in result.err


def test_a_non_admin_is_refused_user_management(pearl: Cli) -> None:
    with_user(pearl, REVIEWER, "reviewer")

    assert pearl.as_user(REVIEWER, "users", "list").error_code() == "forbidden"


def test_roles_change_by_email_but_never_ones_own(pearl: Cli) -> None:
    reviewer = with_user(pearl, REVIEWER, "reviewer")

    changed = pearl.as_user(
        ADMIN, "users", "set-roles", REVIEWER, "--role", "operator", "--role", "viewer", "--json"
    ).json()
    own = pearl.as_user(ADMIN, "users", "set-roles", ADMIN, "--role", "viewer")

    assert changed["user_id"] == reviewer["user_id"]
    assert changed["roles"] == ["operator", "viewer"]
    assert own.error_code() == "forbidden"


def test_a_disabled_user_cannot_sign_in_until_enabled(pearl: Cli) -> None:
    reviewer = with_user(pearl, REVIEWER, "reviewer")

    disabled = pearl.as_user(ADMIN, "users", "disable", reviewer["user_id"], "--json").json()
    refused = pearl.as_user(REVIEWER, "orgs", "show")
    again = pearl.as_user(ADMIN, "users", "disable", REVIEWER)
    enabled = pearl.as_user(ADMIN, "users", "enable", REVIEWER, "--json").json()

    assert disabled["disabled"] is True
    assert refused.error_code() == "unauthenticated"
    assert again.error_code() == "invalid_transition"
    assert enabled["disabled"] is False
    assert pearl.as_user(REVIEWER, "orgs", "show").code == 0


def test_the_last_admin_cannot_disable_themselves(pearl: Cli) -> None:
    assert pearl.as_user(ADMIN, "users", "disable", ADMIN).error_code() == "forbidden"


def test_an_unknown_user_is_not_found(pearl: Cli) -> None:
    result = pearl.as_user(ADMIN, "users", "enable", "nobody@example.com")

    assert result.error_code() == "not_found"


def test_an_admin_resets_a_password_and_only_the_new_one_works(pearl: Cli) -> None:
    with_user(pearl, REVIEWER, "reviewer")
    new = "a-brand-new-reviewer-password"

    result = pearl.as_user(ADMIN, "users", "set-password", REVIEWER, PEARL_NEW_USER_PASSWORD=new)

    assert result.code == 0, result.err
    assert new not in result.text
    assert pearl.as_user(REVIEWER, "orgs", "show").error_code() == "unauthenticated"
    signed_in = pearl("orgs", "show", "--user", REVIEWER, env={"PEARL_PASSWORD": new})
    assert signed_in.code == 0, signed_in.err


def test_teams_gain_and_lose_members(pearl: Cli) -> None:
    reviewer = with_user(pearl, REVIEWER, "reviewer")
    team = pearl.as_user(ADMIN, "teams", "create", "platform", "--json").json()

    added = pearl.as_user(ADMIN, "teams", "add-member", "platform", REVIEWER, "--json").json()
    listed = pearl.as_user(ADMIN, "teams", "list", "--json").json()
    removed = pearl.as_user(
        ADMIN, "teams", "remove-member", team["team_id"], reviewer["user_id"], "--json"
    ).json()
    duplicate = pearl.as_user(ADMIN, "teams", "create", "platform")

    assert added["team_ids"] == [team["team_id"]]
    assert [t["name"] for t in listed] == ["platform"]
    assert removed["team_ids"] == []
    assert duplicate.error_code() == "already_exists"


def test_orgs_show_describes_the_org_to_the_local_operator(pearl: Cli) -> None:
    org = pearl("orgs", "show", "--json").json()

    assert org["org_id"] == ORG
    assert org["project_count"] == 0
    assert org["audit_events"] >= 2  # the org and its admin were created
