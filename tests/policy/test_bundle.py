"""Loading a bundle from disk: modules, data, entrypoints, rule metadata, hash."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from policy_bundle import COMMAND, PROTECTED, Write

from pearl_core import PolicyLoadError, load_bundle


def test_bundle_lists_entrypoints_rules_and_tests(rego_dir: Path, data_dir: Path) -> None:
    bundle = load_bundle(rego_dir, data_dir)
    assert bundle.entrypoints == ("pearl.guardrails.decision",)
    assert sorted(bundle.rules) == [
        "guardrails.rules.command_allowed",
        "guardrails.rules.protected_paths",
    ]
    assert bundle.rules["guardrails.rules.protected_paths"].severity == "high"
    assert len(bundle.policies) == 4
    assert len(bundle.tests) == 3


def test_data_files_are_mounted_by_path_under_pearl_data(rego_dir: Path, data_dir: Path) -> None:
    (data_dir / "environments").mkdir()
    (data_dir / "environments" / "prod.json").write_text('{"risk_level": "critical"}')
    (data_dir / "README.md").write_text("not data")
    data = load_bundle(rego_dir, data_dir).data
    assert data["environments"] == {"prod": {"risk_level": "critical"}}
    assert data["guardrails"]["allowed_commands"] == ["pytest", "ruff"]
    assert set(data) == {"environments", "guardrails"}


def test_invalid_data_json_is_policy_invalid_with_its_line(rego_dir: Path, data_dir: Path) -> None:
    (data_dir / "broken.json").write_text('{\n  "a": 1,\n}\n')
    with pytest.raises(PolicyLoadError) as caught:
        load_bundle(rego_dir, data_dir)
    assert caught.value.code == "policy_invalid"
    assert caught.value.details["file"] == str(data_dir / "broken.json")
    assert caught.value.details["line"] == 3


def test_a_data_file_and_directory_of_one_name_clash(rego_dir: Path, data_dir: Path) -> None:
    (data_dir / "guardrails").mkdir()
    (data_dir / "guardrails" / "extra.json").write_text("{}")
    with pytest.raises(PolicyLoadError) as caught:
        load_bundle(rego_dir, data_dir)
    assert caught.value.code == "policy_invalid"
    assert caught.value.details["file"] in {
        str(data_dir / "guardrails.json"),
        str(data_dir / "guardrails" / "extra.json"),
    }


def test_a_directory_without_policies_is_policy_invalid(tmp_path: Path) -> None:
    (tmp_path / "only_test.rego").write_text("package pearl.x_test\n")
    with pytest.raises(PolicyLoadError) as caught:
        load_bundle(tmp_path)
    assert caught.value.code == "policy_invalid"


def test_a_missing_directory_is_policy_invalid(tmp_path: Path) -> None:
    with pytest.raises(PolicyLoadError) as caught:
        load_bundle(tmp_path / "nowhere")
    assert caught.value.code == "policy_invalid"
    assert caught.value.details["file"] == str(tmp_path / "nowhere")


def test_every_metadata_problem_is_reported_at_once(rego_dir: Path, write: Write) -> None:
    write("pearl/guardrails/rules/protected_paths.rego", PROTECTED.replace("# METADATA\n", ""))
    write("pearl/guardrails/rules/command_allowed.rego", COMMAND.replace("#   hint:", "#   tip:"))
    with pytest.raises(PolicyLoadError) as caught:
        load_bundle(rego_dir)
    problems = caught.value.details["problems"]
    assert caught.value.code == "policy_invalid"
    assert [(Path(p["file"]).name, p["line"]) for p in problems] == [
        ("command_allowed.rego", 7),
        ("protected_paths.rego", 6),
    ]


def test_the_hash_ignores_tests_but_not_rules_or_data(
    rego_dir: Path, data_dir: Path, write: Write
) -> None:
    first = load_bundle(rego_dir, data_dir).hash
    write("pearl/guardrails/decision_test.rego", "package pearl.guardrails_test\n")
    assert load_bundle(rego_dir, data_dir).hash == first
    (data_dir / "guardrails.json").write_text('{"protected_prefixes": []}')
    second = load_bundle(rego_dir, data_dir).hash
    assert second != first
    write("pearl/lib/paths.rego", (rego_dir / "pearl/lib/paths.rego").read_text() + "\n")
    assert load_bundle(rego_dir, data_dir).hash != second


def test_the_hash_does_not_depend_on_where_the_bundle_lives(
    rego_dir: Path, data_dir: Path, tmp_path: Path
) -> None:
    copy = shutil.copytree(rego_dir, tmp_path / "elsewhere")
    assert load_bundle(copy, data_dir).hash == load_bundle(rego_dir, data_dir).hash
