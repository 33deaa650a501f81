"""The ``pearl`` command line, driven as a user would, on a real SQLite file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pearl_mcp.cli import main


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {
        "PEARL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'pearl.db'}",
        "PEARL_ORG_ID": "org_clitest",
        "PEARL_LOG_LEVEL": "error",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def pearl(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``pearl argv`` in-process; return (exit code, stdout, stderr)."""
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_init_seeds_default_org_baseline_and_profiles(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = pearl(capsys, "init", "--json")
    assert code == 0
    status = json.loads(out)
    assert status["org"] == {"org_id": "org_clitest", "name": "PeaRL default org", "created": True}
    assert status["baseline"] == "orgb_pearl_default"
    assert set(status["environment_profiles"]) == {"sandbox", "dev", "pilot", "preprod", "prod"}
    assert status["audit"]["intact"] is True
    assert status["audit"]["events"] == 7  # org + baseline + five profiles


def test_init_twice_changes_nothing(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    pearl(capsys, "init", "--json")
    code, out, _ = pearl(capsys, "init", "--json")
    status = json.loads(out)
    assert code == 0
    assert status["created"] == []
    assert status["audit"]["events"] == 7


def test_project_create_then_list(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    pearl(capsys, "init")
    code, out, _ = pearl(
        capsys, "projects", "create", "--name", "Payments API", "--id", "proj_payments", "--json"
    )
    assert code == 0
    assert json.loads(out)["project_id"] == "proj_payments"
    code, out, _ = pearl(capsys, "projects", "list", "--json")
    assert [p["project_id"] for p in json.loads(out)] == ["proj_payments"]


def test_duplicate_project_id_is_a_one_line_already_exists_error(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    pearl(capsys, "init")
    pearl(capsys, "projects", "create", "--name", "A", "--id", "proj_dup")
    code, out, err = pearl(capsys, "projects", "create", "--name", "B", "--id", "proj_dup")
    assert code == 1
    assert out == ""
    assert err.startswith("pearl: error [already_exists]")
    assert err.count("\n") == 1


def test_project_with_malformed_id_is_validation_failed(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    pearl(capsys, "init")
    code, _, err = pearl(capsys, "projects", "create", "--name", "A", "--id", "project-1")
    assert code == 1
    assert err.startswith("pearl: error [validation_failed]")


def test_creating_a_project_before_init_names_the_missing_org(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    pearl(capsys, "db", "upgrade")
    code, _, err = pearl(capsys, "projects", "create", "--name", "A")
    assert code == 1
    assert err.startswith("pearl: error [not_found]")


def test_audit_verify_reports_an_intact_chain(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    pearl(capsys, "init")
    pearl(capsys, "projects", "create", "--name", "A")
    code, out, _ = pearl(capsys, "audit", "verify", "--json")
    assert code == 0
    assert json.loads(out) == {"ok": True, "checked": 8, "first_broken_seq": None, "reason": None}


def test_bad_database_url_is_a_configuration_error(
    env: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEARL_DATABASE_URL", "mysql://nope")
    code, _, err = pearl(capsys, "projects", "list")
    assert code == 1
    assert err.startswith("pearl: error [configuration_error]")


def test_console_script_runs_as_a_subprocess(env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from pearl_mcp.cli import main; main()", "init", "--json"],
        capture_output=True,
        text=True,
        env={**env, "PATH": "/usr/bin:/bin"},
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["audit"]["intact"] is True
