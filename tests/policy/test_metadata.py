"""Reading METADATA blocks: what a rule module, a helper and a test must carry."""

from __future__ import annotations

from policy_bundle import COMMAND, LIB, PROTECTED

from pearl_core.policy.metadata import read_module


def reasons(source: str, *, path: str = "pearl/x.rego", is_test: bool = False) -> list[str]:
    return [p.reason for p in read_module(path, source, is_test=is_test).problems]


def test_a_rule_module_yields_its_metadata_under_the_package_rule_id() -> None:
    info = read_module("pearl/guardrails/rules/protected_paths.rego", PROTECTED, is_test=False)
    assert info.problems == ()
    assert info.rule is not None
    assert info.rule.rule_id == "guardrails.rules.protected_paths"
    assert info.rule.title == "Protected paths"
    assert info.rule.severity == "high"
    assert info.rule.hint == "Change files inside the task packet's allowed paths only."


def test_a_helper_needs_only_title_and_description() -> None:
    info = read_module("pearl/lib/paths.rego", LIB, is_test=False)
    assert info.problems == ()
    assert info.rule is None


def test_a_test_module_needs_no_metadata() -> None:
    assert reasons("package pearl.lib.paths_test\n", is_test=True) == []


def test_a_rule_without_severity_or_hint_is_reported() -> None:
    source = PROTECTED.replace("#   severity: high\n", "").replace("#   hint:", "#   note:")
    assert len(reasons(source)) == 2


def test_an_unknown_severity_is_reported() -> None:
    assert len(reasons(COMMAND.replace("moderate", "urgent"))) == 1


def test_a_misspelt_annotation_key_is_reported_not_ignored() -> None:
    assert any("titel" in r for r in reasons(LIB.replace("# title:", "# titel:")))


def test_metadata_separated_from_the_package_line_does_not_count() -> None:
    source = LIB.replace("package pearl.lib.paths", "\npackage pearl.lib.paths")
    info = read_module("pearl/lib/paths.rego", source, is_test=False)
    assert [(p.line, p.column) for p in info.problems] == [(5, 1)]


def test_invalid_yaml_is_reported_on_its_line() -> None:
    source = LIB.replace("# description: Prefix", "# description: [Prefix")
    info = read_module("pearl/lib/paths.rego", source, is_test=False)
    assert [(p.line, p.column) for p in info.problems] == [(3, 1)]


def test_a_custom_rule_id_must_equal_the_package_path() -> None:
    source = COMMAND.replace("# custom:\n", "# custom:\n#   rule_id: commands\n")
    assert len(reasons(source)) == 1
    same = COMMAND.replace(
        "# custom:\n", "# custom:\n#   rule_id: guardrails.rules.command_allowed\n"
    )
    assert reasons(same) == []


def test_packages_outside_pearl_are_refused() -> None:
    assert len(reasons(LIB.replace("package pearl.lib.paths", "package other.paths"))) == 1


def test_a_module_without_a_package_is_reported() -> None:
    assert len(reasons("# just a comment\n")) == 1


def test_an_entrypoint_is_found_from_its_decision_rule() -> None:
    source = LIB + '\ndefault decision := {"decision": "allow", "reasons": []}\n'
    assert read_module("pearl/lib/paths.rego", source, is_test=False).defines_decision
    assert not read_module("pearl/lib/paths.rego", LIB, is_test=False).defines_decision
