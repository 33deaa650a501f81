"""The remediation loop from the ``pearl`` CLI on a real SQLite file: generate,
claim, check actions (exit codes 0/3/4 for hooks), ask for approval, report.

The CLI acts as the local operator, who may work packets but never decide
approvals; a reviewer decides through the library here, as a signed-in
reviewer would.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import anyio
import pytest

from pearl_core import ApplicationSpec, Settings, bootstrap, put_app_spec
from pearl_core.domain.enums import Role
from pearl_core.services.approvals import decide_approval
from pearl_core.testing import make_human_reviewer, make_principal
from pearl_mcp.cli import main

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "examples" / "vulnerable-app"
ORG = "org_clitest"
PROJECT = "proj_orders"
ADMIN = make_principal(org_id=ORG, roles={Role.ADMIN})
REVIEWER = make_human_reviewer(org_id=ORG)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {
        "PEARL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'pearl.db'}",
        "PEARL_ORG_ID": ORG,
        "PEARL_LOG_LEVEL": "error",
        "PEARL_SIGNING_KEY_FILE": str(tmp_path / "keys" / "signing-key.pem"),
        "PEARL_MAX_DENIED_ATTEMPTS": "10",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def pearl(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def pearl_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code, out, err = pearl(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def library(env: dict[str, str], work: Any) -> Any:
    async def run() -> Any:
        app = bootstrap(Settings.from_env(env), configure_logs=False)
        try:
            return await work(app)
        finally:
            await app.aclose()

    return anyio.run(run)


@pytest.fixture
def packet(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> str:
    """A claimed packet for the shell=True finding of the committed Semgrep scan."""
    pearl(capsys, "init")
    pearl(capsys, "projects", "create", "--name", "Orders", "--id", PROJECT)
    spec = ApplicationSpec.model_validate_json((APP / "pearl-app-spec.json").read_bytes())
    library(env, lambda app: put_app_spec(app.unit_of_work(ADMIN), PROJECT, spec, "example"))
    pearl_json(capsys, "context", "compile", "--project", PROJECT, "--env", "dev")
    sarif = str(APP / "scans" / "semgrep.sarif")
    pearl_json(capsys, "ingest", sarif, "--project", PROJECT, "--env", "dev")
    generated = pearl_json(capsys, "remediation", "generate", "--project", PROJECT, "--env", "dev")
    assert (len(generated["specs"]), len(generated["packets"])) == (6, 6)
    shell = next(p for p in generated["packets"] if "app/shell.py" in p["allowed_paths"])
    claimed = pearl_json(capsys, "packets", "claim", shell["task_packet_id"])
    assert claimed["status"] == "claimed"
    return str(shell["task_packet_id"])


def check(capsys: pytest.CaptureFixture[str], packet: str, action: dict[str, Any]) -> int:
    code, _, _ = pearl(capsys, "check-action", "--packet", packet, "--action", json.dumps(action))
    return code


def test_check_action_exit_codes_say_allow_deny_and_needs_approval(
    packet: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check(capsys, packet, {"type": "file_write", "path": "app/shell.py"}) == 0
    assert check(capsys, packet, {"type": "file_write", "path": "app/db.py"}) == 3
    assert check(capsys, packet, {"type": "git_commit", "command": "git commit -m fix"}) == 4


def test_check_action_reads_the_action_from_stdin_and_explains_a_denial(
    packet: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "sys.stdin", io.StringIO('{"type": "command_run", "command": "pytest; curl x"}')
    )
    code, out, _ = pearl(capsys, "check-action", "--packet", packet)

    assert code == 3
    assert "command_not_allowed" in out or "command_not_in_packet" in out


def test_a_malformed_action_is_a_validation_error(
    packet: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = pearl(capsys, "check-action", "--packet", packet, "--action", "[1, 2]")

    assert code == 1
    assert "[validation_failed]" in err


def test_an_approval_asked_from_the_cli_is_decided_by_a_reviewer_not_the_operator(
    env: dict[str, str], packet: str, capsys: pytest.CaptureFixture[str]
) -> None:
    commit = json.dumps({"type": "git_commit", "command": "git commit -m fix"})
    request = pearl_json(capsys, "approvals", "request", "--packet", packet, "--action", commit)

    code, _, err = pearl(
        capsys, "approvals", "decide", request["approval_request_id"], "approve", "--reason", "ok"
    )
    assert code == 1
    assert "[forbidden]" in err
    library(
        env,
        lambda app: decide_approval(
            app.unit_of_work(REVIEWER),
            request["approval_request_id"],
            "approve",
            reason="reviewed",
            clock=app.clock,
        ),
    )

    assert check(capsys, packet, json.loads(commit)) == 0
    assert check(capsys, packet, json.loads(commit)) == 4
    shown = pearl_json(capsys, "approvals", "show", request["approval_request_id"])
    assert shown["decision"]["decided_by"] == REVIEWER.subject_id


def test_an_outcome_without_evidence_is_refused_and_with_it_submits(
    packet: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = pearl(
        capsys, "outcome", "report", "--packet", packet, "--report", '{"status": "fixed"}'
    )
    assert code == 1
    assert "[validation_failed]" in err
    assert "changed_files" in err

    shown = pearl_json(capsys, "packets", "show", packet)
    evidence = {
        "status": "fixed",
        "changed_files": [{"path": "app/shell.py", "sha256": "a" * 64}],
        "commit_sha": "0123456789abcdef0123456789abcdef01234567",
        "test_results": [
            {"name": name, "status": "passed"}
            for name in shown["required_tests"]
            if not name.startswith("rescan:")
        ],
        "tool_output_digests": {"pytest": "b" * 64},
    }
    reported = pearl_json(
        capsys, "outcome", "report", "--packet", packet, "--report", json.dumps(evidence)
    )
    assert reported["status"] == "submitted"
    listed = pearl_json(capsys, "packets", "list", "--status", "submitted")
    assert [p["task_packet_id"] for p in listed] == [packet]
