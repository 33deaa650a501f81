"""The action vocabulary PeaRL promises agents (file_read, file_write,
file_delete, command_run, network_egress, dependency_change, git_commit,
git_push, deploy, config_change), judged by the real policy bundle through the
guard-rail service layer (see ``conftest.py``, which also checks the fast path
on every input)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

Outcome = tuple[str, frozenset[tuple[str, str]]]
Judge = Callable[..., Outcome]
ALLOW: Outcome = ("allow", frozenset())

UNSAFE = ("path_in_scope", "unsafe_path")
OUTSIDE = ("path_in_scope", "outside_allowed_paths")
PROTECTED = ("protected_paths", "protected_path")
NOT_ALLOWED = ("command_allowed", "command_not_allowed")
NOT_IN_PACKET = ("command_allowed", "command_not_in_packet")
HOST_NOT_ALLOWED = ("network_egress", "host_not_allowed")
PACKAGE_NOT_ALLOWED = ("package_allowed", "package_not_allowed")
TYPE_APPROVAL = ("approval_triggers", "action_type")


def deny(*reasons: tuple[str, str]) -> Outcome:
    return "deny", frozenset(reasons)


def needs_approval(*reasons: tuple[str, str]) -> Outcome:
    return "needs_approval", frozenset(reasons)


def act(action_type: str, **fields: Any) -> dict[str, Any]:
    return {"type": action_type, **fields}


@pytest.mark.parametrize(
    "path", ["src/app.py", "README.md", "docs/design/guard-rails.md", "src/auth/login.py"]
)
def test_read_of_any_safe_unprotected_repository_path_is_allowed(judge: Judge, path: str) -> None:
    assert judge(act("file_read", path=path)) == ALLOW


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (".env", deny(PROTECTED)),
        ("config/.env.production", deny(PROTECTED)),
        (".git/config", deny(PROTECTED)),
        (".pearl/context.json", deny(PROTECTED)),
        ("deploy/tls.key", deny(PROTECTED)),
        ("src/link", deny(PROTECTED)),
        ("src/outside", deny(UNSAFE)),
        ("../other-repo/app.py", deny(UNSAFE)),
        ("/etc/passwd", deny(UNSAFE)),
    ],
)
def test_read_of_protected_or_escaping_paths_is_denied(
    judge: Judge, path: str, expected: Outcome
) -> None:
    assert judge(act("file_read", path=path)) == expected


def test_read_needs_a_packet_that_allows_reading(judge: Judge) -> None:
    packet = {"allowed_actions": ["code_edit"]}
    assert judge(act("file_read", path="src/app.py"), packet) == deny(
        ("action_type_allowed", "not_allowed_by_packet")
    )


def test_write_inside_the_packet_scope_is_allowed(judge: Judge) -> None:
    assert judge(act("file_write", path="src/app.py")) == ALLOW


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("docs/notes.md", deny(OUTSIDE)),
        ("README.md", deny(OUTSIDE)),
        ("src/.env", deny(PROTECTED)),
        ("src/link", deny(OUTSIDE, PROTECTED)),
    ],
)
def test_write_outside_the_packet_scope_or_to_a_protected_path_is_denied(
    judge: Judge, path: str, expected: Outcome
) -> None:
    assert judge(act("file_write", path=path)) == expected


def test_delete_inside_the_packet_scope_is_allowed_in_dev(judge: Judge) -> None:
    assert judge(act("file_delete", path="src/old.py")) == ALLOW


@pytest.mark.parametrize("environment", ["pilot", "preprod", "prod"])
def test_delete_from_pilot_up_needs_approval(judge: Judge, environment: str) -> None:
    action = act("file_delete", path="src/old.py", environment=environment)
    assert judge(action) == needs_approval(TYPE_APPROVAL)


def test_delete_outside_the_packet_scope_is_denied_even_in_prod(judge: Judge) -> None:
    assert judge(act("file_delete", path="docs/old.md", environment="prod")) == deny(OUTSIDE)


@pytest.mark.parametrize("package", ["requests", "Requests", "REQUESTS"])
def test_dependency_change_of_a_listed_package_with_a_version_is_allowed(
    judge: Judge, package: str
) -> None:
    assert judge(act("dependency_change", package=package, version="2.32.3")) == ALLOW


def test_dependency_change_of_an_unlisted_package_is_denied(judge: Judge) -> None:
    action = act("dependency_change", package="requests-toolbelt", version="1.0.0")
    assert judge(action) == deny(PACKAGE_NOT_ALLOWED)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"package": "requests", "version": "2.0 --index-url=https://evil.example"},
            "malformed_version",
        ),
        ({"package": "git+https://evil.example/requests.git"}, "malformed_package"),
        ({"version": "2.32.3"}, "malformed_package"),
    ],
)
def test_dependency_change_naming_packages_unplainly_is_denied(
    judge: Judge, fields: dict[str, str], expected: str
) -> None:
    decision, reasons = judge(act("dependency_change", **fields))
    assert decision == "deny"
    assert ("package_allowed", expected) in reasons


def test_dependency_change_naming_nothing_is_denied(judge: Judge) -> None:
    assert judge(act("dependency_change")) == deny(("action_type_allowed", "field_required_any"))


def test_dependency_change_in_preprod_needs_approval(judge: Judge) -> None:
    action = act("dependency_change", package="requests", version="2.32.3", environment="preprod")
    assert judge(action) == needs_approval(TYPE_APPROVAL)


def test_packages_on_other_action_types_are_denied(judge: Judge) -> None:
    action = act("file_write", path="src/app.py", package="requests")
    assert judge(action) == deny(("action_type_allowed", "field_not_permitted"))


def test_network_egress_to_an_allow_listed_host_is_allowed(judge: Judge) -> None:
    assert judge(act("network_egress", host="https://allowed.example/x")) == ALLOW


def test_network_egress_to_an_unlisted_host_is_denied(judge: Judge) -> None:
    assert judge(act("network_egress", host="https://evil.example/x")) == deny(HOST_NOT_ALLOWED)


@pytest.mark.parametrize(
    "command", [["git", "commit", "-m", "Fix order rounding"], 'git commit -m "Fix rounding"']
)
def test_git_commit_of_the_staged_work_is_allowed(judge: Judge, command: str | list[str]) -> None:
    assert judge(act("git_commit", command=command)) == ALLOW


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("git commit --no-verify -m x", deny(NOT_ALLOWED)),
        ("git commit --amend -m x", deny(NOT_ALLOWED)),
        ("git commit -am x", deny(NOT_ALLOWED)),
        ("git status", deny(NOT_ALLOWED)),
        ("git commit -m x; rm -rf /", deny(NOT_ALLOWED, NOT_IN_PACKET)),
    ],
)
def test_git_commit_escape_hatches_and_other_commands_are_denied(
    judge: Judge, command: str, expected: Outcome
) -> None:
    assert judge(act("git_commit", command=command)) == expected


def test_git_commit_needs_the_command_in_the_packet(judge: Judge) -> None:
    packet = {"allowed_commands": ["git status"]}
    assert judge(act("git_commit", command="git commit -m x"), packet) == deny(NOT_IN_PACKET)


def test_git_commit_names_its_command(judge: Judge) -> None:
    assert judge(act("git_commit")) == deny(("action_type_allowed", "field_required"))


def test_config_change_in_dev_is_allowed(judge: Judge) -> None:
    assert judge(act("config_change", path="src/settings.yaml")) == ALLOW


@pytest.mark.parametrize("environment", ["pilot", "preprod", "prod"])
def test_config_change_from_pilot_up_needs_approval(judge: Judge, environment: str) -> None:
    action = act("config_change", path="src/settings.yaml", environment=environment)
    assert judge(action) == needs_approval(TYPE_APPROVAL)


@pytest.mark.parametrize("action_type", ["git_push", "deploy"])
def test_types_the_packet_does_not_allow_are_denied(judge: Judge, action_type: str) -> None:
    decision, reasons = judge(act(action_type, command="git push"))
    assert decision == "deny"
    assert ("action_type_allowed", "not_allowed_by_packet") in reasons


@pytest.mark.parametrize("action_type", ["file_move", "File_Read", "shell", "file_read "])
def test_unknown_action_type_is_denied_by_default(judge: Judge, action_type: str) -> None:
    decision, reasons = judge(act(action_type, path="src/app.py"))
    assert decision == "deny"
    assert ("action_type_allowed", "unknown_action_type") in reasons


@pytest.mark.parametrize(
    "action",
    [
        act("code_edit", path="src/app.py"),
        act("command_run", command="pytest -q"),
        act("network_request", host="allowed.example"),
    ],
)
def test_v1_1_capability_names_keep_working(judge: Judge, action: dict[str, Any]) -> None:
    assert judge(action) == ALLOW
