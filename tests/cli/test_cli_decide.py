"""``pearl approvals decide`` needs a signed-in human reviewer: ``--user`` on the
embedded database, or ``--server`` as the human of ``pearl login``; the local
operator stays refused."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest
from identity_cli import (
    OPERATOR,
    REVIEWER,
    REVIEWER_PASSWORD,
    Cli,
    pending_approval,
    serving,
    with_admin,
    with_user,
)


@dataclass(frozen=True)
class World:
    pearl: Cli
    approval: str
    reviewer_id: str


@pytest.fixture
def world(tmp_path: Path) -> World:
    cli = Cli(tmp_path)
    approval = pending_approval(cli)
    with_admin(cli)
    reviewer = with_user(cli, REVIEWER, "reviewer")
    return World(cli, approval, reviewer["user_id"])


@pytest.fixture
def served(world: World) -> Iterator[str]:
    with serving(world.pearl) as base:
        yield base


def decide(world: World, *extra: str) -> list[str]:
    return ["approvals", "decide", world.approval, "approve", "--reason", "reviewed", *extra]


def test_the_local_operator_is_still_refused(world: World) -> None:
    result = world.pearl(*decide(world))

    assert result.error_code() == "forbidden"


def test_a_reviewer_decides_as_themself_with_user(world: World) -> None:
    result = world.pearl.as_user(REVIEWER, *decide(world), "--json")

    view = result.json()
    assert view["request"]["status"] == "approved"
    assert view["decision"]["decided_by"] == world.reviewer_id
    assert REVIEWER_PASSWORD not in result.text


def test_a_wrong_password_decides_nothing(world: World) -> None:
    result = world.pearl(
        *decide(world), "--user", REVIEWER, env={"PEARL_PASSWORD": "not-the-reviewer-password"}
    )

    assert result.error_code() == "unauthenticated"
    assert "not-the-reviewer-password" not in result.text
    shown = world.pearl("approvals", "show", world.approval, "--json").json()
    assert shown["request"]["status"] == "pending"


def test_a_signed_in_operator_is_no_reviewer(world: World) -> None:
    with_user(world.pearl, OPERATOR, "operator")

    result = world.pearl.as_user(OPERATOR, *decide(world))

    assert result.error_code() == "forbidden"


def test_a_reviewer_decides_through_the_server_after_login(world: World, served: str) -> None:
    pearl = world.pearl
    login = pearl(
        "login", "--server", served, "--email", REVIEWER, env={"PEARL_PASSWORD": REVIEWER_PASSWORD}
    )
    assert login.code == 0, login.err

    password = {"PEARL_PASSWORD": REVIEWER_PASSWORD}
    result = pearl(*decide(world), "--server", "--json", env=password)

    view = result.json()
    assert view["request"]["status"] == "approved"
    assert view["decision"]["decided_by"] == world.reviewer_id
    again = pearl(*decide(world), "--server", served, env=password)
    assert again.error_code() in {"invalid_transition", "approval_not_pending"}


def test_a_stored_login_alone_cannot_decide(world: World, served: str) -> None:
    """Whoever can read the reviewer's login file (an agent on their machine) holds a
    refresh token, not the password: deciding signs in again, and the server refuses
    a decision made with a refreshed token."""
    pearl = world.pearl
    pearl(
        "login", "--server", served, "--email", REVIEWER, env={"PEARL_PASSWORD": REVIEWER_PASSWORD}
    )
    guessed = pearl(*decide(world), "--server", env={"PEARL_PASSWORD": "an agent's guess"})
    token = pearl("token").out.strip()
    direct = httpx2.post(
        f"{served}/api/v1/approvals/{world.approval}/decide",
        json={"decision": "approve", "reason": "looks fine"},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert guessed.error_code() == "unauthenticated"
    assert direct.status_code == 403
    assert direct.json()["error"]["details"]["reason"] == "fresh_sign_in_required"
    shown = pearl("approvals", "show", world.approval, "--json").json()
    assert shown["request"]["status"] == "pending"


def test_deciding_through_a_server_needs_a_login_to_that_server(world: World, served: str) -> None:
    pearl = world.pearl
    not_logged_in = pearl(*decide(world), "--server", served)
    pearl(
        "login", "--server", served, "--email", REVIEWER, env={"PEARL_PASSWORD": REVIEWER_PASSWORD}
    )
    elsewhere = pearl(*decide(world), "--server", "https://pearl.example.com")

    assert not_logged_in.error_code() == "unauthenticated"
    assert elsewhere.error_code() == "unauthenticated"
    shown = pearl("approvals", "show", world.approval, "--json").json()
    assert shown["request"]["status"] == "pending"


def test_user_and_server_exclude_each_other(world: World, served: str) -> None:
    result = world.pearl.as_user(REVIEWER, *decide(world), "--server", served)

    assert result.error_code() == "validation_failed"
