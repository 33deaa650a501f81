"""Every ``pearl`` command declares the permission it needs (or why it needs none),
and a command refused for the local operator fails before its body runs and leaves
an ``access.denied`` audit event, on SQLite and PostgreSQL."""

from __future__ import annotations

import getpass
import importlib
import json
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

import pearl_mcp.cli
from pearl_mcp.cli import main
from pearl_mcp.cli.app import cli
from pearl_mcp.cli.permissions import access_of

LOCAL = f"local:{getpass.getuser()}"


def pearl(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``pearl argv`` in-process; return (exit code, stdout, stderr)."""
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PEARL_DATABASE_URL", database_url)
    monkeypatch.setenv("PEARL_ORG_ID", "org_clitest")
    monkeypatch.setenv("PEARL_LOG_LEVEL", "error")
    monkeypatch.setenv("PEARL_SIGNING_KEY_FILE", str(tmp_path / "keys" / "signing.pem"))
    return database_url


def commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[str, click.Command]]:
    """Every command under ``group`` (groups only dispatch, so they are walked, not listed)."""
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))
        else:
            yield " ".join((*path, name)), command


def all_commands() -> dict[str, click.Command]:
    """The whole tree: every module of ``pearl_mcp.cli`` imported, as ``main`` does."""
    for module in pkgutil.iter_modules(pearl_mcp.cli.__path__):
        importlib.import_module(f"pearl_mcp.cli.{module.name}")
    return dict(commands(cli))


def denials(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    code, out, err = pearl(capsys, "audit", "list", "--json", "--limit", "1000")
    assert code == 0, err
    return [event for event in json.loads(out) if event["action"] == "access.denied"]


def test_every_command_declares_its_permission_or_why_it_needs_none() -> None:
    tree = all_commands()

    undeclared = sorted(path for path, command in tree.items() if access_of(command) is None)

    assert "approvals decide" in tree
    assert undeclared == []


def test_commands_that_touch_org_data_are_never_public() -> None:
    tree = all_commands()
    public = {
        path
        for path, command in tree.items()
        if (access := access_of(command)) and access.kind == "public"
    }

    assert public <= {
        "admin bootstrap",
        "context public-key",
        "context verify",
        "db upgrade",
        "demo",
        "init",
        "login",
        "logout",
        "mcp",
        "policy check",
        "policy test",
        "serve",
        "token",
    }


def test_a_command_refused_for_the_local_operator_leaves_an_audit_event(
    env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = pearl(capsys, "approvals", "decide", "appr_nope", "approve", "--reason", "r")

    assert code == 1
    assert out == ""
    assert err.startswith("pearl: error [forbidden] ")
    [event] = denials(capsys)
    assert event["actor_id"] == LOCAL
    assert event["outcome"] == "denied"
    assert event["details"] == {
        "surface": "cli",
        "target": "approvals decide",
        "code": "forbidden",
        "permission": "approvals:decide",
        "principal": LOCAL,
        "principal_kind": "human",
    }


def test_a_refused_command_runs_nothing_of_its_own(
    env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Refused before the body: no user is created, so no password is even asked for."""
    code, _, err = pearl(
        capsys, "users", "create", "new@example.com", "--role", "viewer", "--with-password"
    )

    assert code == 1
    assert "[forbidden]" in err
    assert "Password" not in err
    assert [event["details"]["target"] for event in denials(capsys)] == ["users create"]


def test_an_allowed_command_leaves_no_denial(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = pearl(capsys, "projects", "list", "--json")

    assert (code, json.loads(out)) == (0, [])
    assert denials(capsys) == []
