"""``pearl admin bootstrap``: the org's first admin, once, with no default credential."""

from __future__ import annotations

from pathlib import Path

import pytest
from identity_cli import ADMIN, ADMIN_PASSWORD, ORG, Cli, with_admin


@pytest.fixture
def pearl(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


def test_bootstrap_creates_the_org_and_its_admin_without_printing_the_password(
    pearl: Cli,
) -> None:
    result = pearl(
        "admin",
        "bootstrap",
        "--email",
        ADMIN,
        "--name",
        "Ada",
        "--org-name",
        "Identity",
        "--json",
        env={"PEARL_BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD},
    )

    admin = result.json()
    assert (admin["email"], admin["display_name"], admin["roles"]) == (ADMIN, "Ada", ["admin"])
    assert ADMIN_PASSWORD not in result.text
    org = pearl("orgs", "show", "--json").json()
    assert (org["org_id"], org["name"]) == (ORG, "Identity")
    assert [u["email"] for u in pearl.as_user(ADMIN, "users", "list", "--json").json()] == [ADMIN]


def test_bootstrap_asks_for_the_password_twice_when_the_environment_has_none(
    pearl: Cli,
) -> None:
    typed = f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n"

    result = pearl("admin", "bootstrap", "--email", ADMIN, input=typed)

    assert result.code == 0, result.err
    assert ADMIN_PASSWORD not in result.text
    assert pearl.as_user(ADMIN, "users", "list").code == 0


def test_a_mistyped_confirmation_creates_no_admin(pearl: Cli) -> None:
    typed = f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}-typo\n"

    result = pearl("admin", "bootstrap", "--email", ADMIN, input=typed)

    assert result.code == 1
    assert ADMIN_PASSWORD not in result.text
    assert with_admin(pearl)["email"] == ADMIN  # not already_exists: none was created


def test_bootstrapping_an_org_that_has_an_admin_is_refused(pearl: Cli) -> None:
    with_admin(pearl)

    again = pearl(
        "admin",
        "bootstrap",
        "--email",
        "second@example.com",
        env={"PEARL_BOOTSTRAP_ADMIN_PASSWORD": "another-password-entirely"},
    )

    assert again.error_code() == "already_exists"
    users = pearl.as_user(ADMIN, "users", "list", "--json").json()
    assert [u["email"] for u in users] == [ADMIN]


def test_a_short_password_is_refused_and_creates_no_admin(pearl: Cli) -> None:
    result = pearl(
        "admin",
        "bootstrap",
        "--email",
        ADMIN,
        env={"PEARL_BOOTSTRAP_ADMIN_PASSWORD": "too-short"},
    )

    assert result.error_code() == "validation_failed"
    assert "too-short" not in result.text
    later = pearl(
        "admin",
        "bootstrap",
        "--email",
        ADMIN,
        env={"PEARL_BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD},
    )
    assert later.code == 0, later.err
