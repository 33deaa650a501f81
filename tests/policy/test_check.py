"""``check_policies``: the bundle compiles, tests included, and every entrypoint evaluates."""

from __future__ import annotations

from pathlib import Path

import pytest
from policy_bundle import Write

from pearl_core import PolicyLoadError, check_policies


def test_a_good_bundle_passes_the_check(rego_dir: Path, data_dir: Path) -> None:
    result = check_policies(rego_dir, data_dir)
    assert result.entrypoints == ("pearl.guardrails.decision",)
    assert result.rule_ids == (
        "guardrails.rules.command_allowed",
        "guardrails.rules.protected_paths",
    )
    assert (result.modules, result.tests) == (4, 3)
    assert result.to_dict()["ok"] is True


def test_a_test_module_that_does_not_compile_fails_the_check(
    rego_dir: Path, data_dir: Path, write: Write
) -> None:
    write(
        "pearl/lib/paths_test.rego",
        "package pearl.lib.paths_test\n\nimport rego.v1\n\ntest_x if {\n\tnofunc(1)\n}\n",
    )
    with pytest.raises(PolicyLoadError) as caught:
        check_policies(rego_dir, data_dir)
    assert caught.value.code == "policy_invalid"
    assert caught.value.details["line"] == 6


def test_missing_metadata_fails_the_check(rego_dir: Path, data_dir: Path, write: Write) -> None:
    write("pearl/lib/extra.rego", "package pearl.lib.extra\n\nimport rego.v1\n\nx := 1\n")
    with pytest.raises(PolicyLoadError) as caught:
        check_policies(rego_dir, data_dir)
    assert caught.value.code == "policy_invalid"
    assert caught.value.details["file"] == str(rego_dir / "pearl/lib/extra.rego")
    assert caught.value.details["line"] == 1
