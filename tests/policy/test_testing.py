"""The Rego test runner: discovery, outcomes, coverage — and that it catches a broken rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from policy_bundle import COMMAND, PROTECTED, Write

from pearl_core import PolicyLoadError, run_rego_tests


def test_the_passing_suite_passes(rego_dir: Path, data_dir: Path) -> None:
    report = run_rego_tests(rego_dir, data_dir)
    assert report.ok
    assert report.count("pass") == 6
    assert report.not_covered == ()
    assert report.without_test_file == ()
    assert "pearl.guardrails.rules.protected_paths_test.test_fail_git_config_is_protected" in {
        case.name for case in report.cases
    }


def test_a_rule_broken_on_purpose_fails_its_tests(
    rego_dir: Path, data_dir: Path, write: Write
) -> None:
    write(
        "pearl/guardrails/rules/command_allowed.rego",
        COMMAND.replace("not input.command in", "input.command in"),
    )
    report = run_rego_tests(rego_dir, data_dir)
    failed = {case.name.rsplit(".", 1)[1] for case in report.cases if case.outcome == "fail"}
    assert not report.ok
    assert failed == {
        "test_fail_rm_is_not_allowed",
        "test_success_pytest_is_allowed",
        "test_success_allows_a_plain_edit",  # the entrypoint's own test sees it too
    }


def test_a_test_that_raises_is_an_error_with_its_location(
    rego_dir: Path, data_dir: Path, write: Write
) -> None:
    write(
        "pearl/lib/broken_test.rego",
        "package pearl.lib.broken_test\n\nimport rego.v1\n\ntest_divides if {\n"
        '\tx := 1 / input.zero with input as {"zero": 0}\n\tx > 0\n}\n',
    )
    report = run_rego_tests(rego_dir, data_dir)
    (case,) = [case for case in report.cases if case.outcome == "error"]
    assert case.name == "pearl.lib.broken_test.test_divides"
    assert case.line == 5
    assert case.error is not None
    assert not report.ok


def test_a_rule_no_test_reaches_is_reported_as_not_covered(
    rego_dir: Path, data_dir: Path, write: Write
) -> None:
    write(
        "pearl/guardrails/rules/network.rego",
        PROTECTED.replace("protected_paths", "network").replace("Protected paths", "Network"),
    )
    (rego_dir / "pearl/guardrails/decision_test.rego").unlink()
    report = run_rego_tests(rego_dir, data_dir)
    assert report.ok
    assert [(Path(m.file).name, m.rule_id) for m in report.not_covered] == [
        ("decision.rego", None),
        ("network.rego", "guardrails.rules.network"),
    ]
    assert report.without_test_file == ("guardrails.rules.network",)


def test_tests_are_discovered_from_the_ast_not_the_text(
    rego_dir: Path, data_dir: Path, write: Write
) -> None:
    write(
        "pearl/lib/paths_test.rego",
        "package pearl.lib.paths_test\n\nimport rego.v1\n\n"
        "# test_in_a_comment if false\n"
        'test_under if data.pearl.lib.paths.under("a/b", "a/")\n\n'
        'test_under if data.pearl.lib.paths.under("c/d", "c/")\n\n'
        "helper_test_like if false\n",
    )
    report = run_rego_tests(rego_dir, data_dir)
    names = [case.name for case in report.cases if case.name.startswith("pearl.lib")]
    assert names == ["pearl.lib.paths_test.test_under"]


def test_a_suite_without_tests_fails(rego_dir: Path, data_dir: Path) -> None:
    for test_file in rego_dir.rglob("*_test.rego"):
        test_file.unlink()
    report = run_rego_tests(rego_dir, data_dir)
    assert report.cases == ()
    assert not report.ok


def test_a_test_file_that_does_not_compile_is_policy_invalid(
    rego_dir: Path, data_dir: Path, write: Write
) -> None:
    write(
        "pearl/lib/paths_test.rego",
        "package pearl.lib.paths_test\n\nimport rego.v1\n\ntest_x if {\n\ty == 1\n}\n",
    )
    with pytest.raises(PolicyLoadError) as caught:
        run_rego_tests(rego_dir, data_dir)
    assert caught.value.code == "policy_invalid"
    assert caught.value.details["file"] == str(rego_dir / "pearl/lib/paths_test.rego")
    assert caught.value.details["line"] == 6
