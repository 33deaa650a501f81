"""``pearl policy check`` and ``pearl policy test`` (``pearl_mcp/cli/policy.py``), run as a
user would. They live beside the other policy tests to share the mini bundle."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from policy_bundle import COMMAND

from pearl_mcp.cli import main


@pytest.fixture
def bundle(rego_dir: Path, data_dir: Path) -> tuple[Path, Path]:
    return rego_dir, data_dir


def pearl(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_check_passes_a_good_bundle(
    bundle: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rego, data = bundle
    code, out, err = pearl(capsys, "policy", "check", str(rego), "--data", str(data), "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["entrypoints"] == ["pearl.guardrails.decision"]


def test_check_prints_one_located_line_per_problem_and_exits_1(
    bundle: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rego, data = bundle
    rule = rego / "pearl/guardrails/rules/command_allowed.rego"
    rule.write_text(COMMAND.replace("# METADATA\n", ""))
    code, out, err = pearl(capsys, "policy", "check", str(rego), "--data", str(data))
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        f"pearl: error [policy_invalid] {rule}:6:1 no # METADATA block directly above the "
        "package line"
    ]


def test_check_reports_a_rego_syntax_error_with_its_location(
    bundle: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rego, data = bundle
    rule = rego / "pearl/guardrails/rules/command_allowed.rego"
    rule.write_text(COMMAND.replace("not input.command in", "not input.command in in"))
    code, _, err = pearl(capsys, "policy", "check", str(rego), "--data", str(data), "--json")
    assert code == 1
    assert err.startswith(f"pearl: error [policy_invalid] {rule}:13:")


def test_test_prints_pass_per_test_and_a_summary(
    bundle: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rego, data = bundle
    code, out, _ = pearl(capsys, "policy", "test", str(rego), "--data", str(data))
    lines = out.splitlines()
    assert code == 0
    assert sum(line.startswith("PASS ") for line in lines) == 6
    assert lines[-1] == "rego: 6 passed, 0 failed"


def test_test_exits_1_when_a_rule_is_broken(
    bundle: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rego, data = bundle
    rule = rego / "pearl/guardrails/rules/command_allowed.rego"
    rule.write_text(COMMAND.replace("not input.command in", "input.command in"))
    code, out, _ = pearl(capsys, "policy", "test", str(rego), "--data", str(data), "--json")
    report = json.loads(out)
    assert code == 1
    assert report["ok"] is False
    assert report["failed"] == 3


def test_test_can_require_every_rule_to_be_covered(
    bundle: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rego, data = bundle
    (rego / "pearl/guardrails/rules/command_allowed_test.rego").unlink()
    (rego / "pearl/guardrails/decision_test.rego").unlink()
    argv = ("policy", "test", str(rego), "--data", str(data))
    code, out, _ = pearl(capsys, *argv)
    assert code == 0
    assert "not covered: " in out
    assert "no test file: guardrails.rules.command_allowed" in out
    code, _, _ = pearl(capsys, *argv, "--require-coverage")
    assert code == 1
