"""Remediation specs from work units, with eligibility from the real Rego bundle."""

from __future__ import annotations

from typing import Any

import pytest
from remediation_inputs import GENERATED_AT, PROJECT_ID, TRACE_ID, sast, sca, secret, seed_context

from pearl_core import CompiledContextPackage, Finding, RegorusEngine
from pearl_core.domain.enums import (
    AutonomyMode,
    Confidence,
    Eligibility,
    Environment,
    Exploitability,
    RiskLevel,
)
from pearl_core.domain.remediation import OutcomeReport, RemediationSpec
from pearl_core.errors import PolicyEvaluationError, ValidationFailed
from pearl_core.policy import Decision
from pearl_core.remediation import (
    EVIDENCE_REQUIRED,
    REMEDIATION_ENTRYPOINT,
    WorkUnit,
    build_spec,
    eligibility_input,
    evaluate_eligibility,
    group_findings,
)

DEV = seed_context()


def _unit(*findings: Finding) -> WorkUnit:
    [unit] = group_findings(findings)
    return unit


def _spec(
    policy: RegorusEngine,
    unit: WorkUnit,
    context: CompiledContextPackage = DEV,
    **input_options: Any,
) -> RemediationSpec:
    decision = evaluate_eligibility(
        policy, eligibility_input(unit, context.environment, context, **input_options)
    )
    return build_spec(
        unit,
        decision,
        context=context,
        project_id=PROJECT_ID,
        environment=context.environment,
        generated_at=GENERATED_AT,
        trace_id=TRACE_ID,
    )


def test_a_high_severity_dev_sast_finding_is_auto_allowed_as_the_policy_says(
    policy: RegorusEngine,
) -> None:
    unit = _unit(sast(severity=RiskLevel.HIGH))

    decision = evaluate_eligibility(policy, eligibility_input(unit, Environment.DEV, DEV))
    spec = _spec(policy, unit)

    assert decision.decision == "auto_allowed"
    assert spec.eligibility is Eligibility.AUTO_ALLOWED
    assert (spec.approval_required, spec.approval_triggers) == (False, [])
    assert spec.risk_summary.risk_level is RiskLevel.HIGH


def test_a_critical_dev_finding_needs_approval_with_the_policys_trigger(
    policy: RegorusEngine,
) -> None:
    spec = _spec(policy, _unit(sast(severity=RiskLevel.CRITICAL)))

    assert spec.eligibility is Eligibility.AUTO_ALLOWED_WITH_APPROVAL
    assert spec.approval_required is True
    assert spec.approval_triggers == ["severity_above_autonomous_ceiling"]


def test_a_secret_needs_a_human_to_rotate_it(policy: RegorusEngine) -> None:
    spec = _spec(policy, _unit(secret(severity=RiskLevel.LOW)))

    assert spec.eligibility is Eligibility.HUMAN_REQUIRED
    assert spec.approval_triggers == ["secret_rotation"]
    assert "rotated by its owner" in spec.required_outcome


def test_a_dependency_without_a_fixed_version_needs_a_human(policy: RegorusEngine) -> None:
    spec = _spec(policy, _unit(sca("requests", None)))

    assert spec.eligibility is Eligibility.HUMAN_REQUIRED
    assert spec.approval_triggers == ["no_fix_available"]
    assert "no fixed version is known" in spec.required_outcome


def test_an_assistive_context_lets_no_agent_fix_anything(policy: RegorusEngine) -> None:
    context = seed_context(autonomy_mode=AutonomyMode.ASSISTIVE)

    spec = _spec(policy, _unit(sast(severity=RiskLevel.LOW)), context)

    assert spec.eligibility is Eligibility.NOT_AUTONOMOUS


def test_a_fix_touching_a_critical_component_needs_approval(policy: RegorusEngine) -> None:
    unit = _unit(sast("app/db.py", severity=RiskLevel.LOW))

    named = _spec(policy, unit, critical_components=["app"])
    by_pattern = _spec(policy, _unit(sast("payments/ledger.py", severity=RiskLevel.LOW)))

    for spec in (named, by_pattern):
        assert spec.eligibility is Eligibility.AUTO_ALLOWED_WITH_APPROVAL
        assert spec.approval_triggers == ["critical_component_change"]


def test_the_eligibility_input_states_the_units_worst_facts() -> None:
    unit = _unit(
        sca("requests", "2.31.0", exploitability=Exploitability.LOW, severity=RiskLevel.LOW),
        sca("requests", "2.32.0", cve="CVE-2023-32681", exploitability=Exploitability.HIGH),
    )

    facts = eligibility_input(unit, Environment.DEV, DEV, critical_components=["b", "a", "b"])

    assert facts == {
        "environment": "dev",
        "autonomy_mode": "supervised_autonomous",
        "severity": "high",
        "category": "security",
        "tool_type": "sca",
        "exploitability": "high",
        "fix_available": True,
        "components_touched": ["requirements.txt"],
        "critical_components": ["a", "b"],
        "finding_ids": list(unit.finding_ids),
    }


def test_same_findings_and_decision_give_an_equal_spec_with_a_stable_id(
    policy: RegorusEngine,
) -> None:
    findings = [sast("app/db.py", 10), sast("app/db.py", 40, confidence=Confidence.LOW)]

    first = _spec(policy, _unit(*findings))
    again = _spec(policy, _unit(*reversed(findings)))
    elsewhere = _spec(policy, _unit(sast("app/orders.py")))

    assert first == again
    assert first.remediation_spec_id.startswith("rs_")
    assert len(first.remediation_spec_id) == len("rs_") + 24
    assert elsewhere.remediation_spec_id != first.remediation_spec_id
    assert first.risk_summary.confidence is Confidence.LOW


def test_the_required_outcome_names_the_package_target_and_advisories(
    policy: RegorusEngine,
) -> None:
    spec = _spec(
        policy,
        _unit(sca("requests", "2.31.0", cve="CVE-2023-32681"), sca("requests", "2.32.0")),
    )

    assert spec.required_outcome == (
        "Upgrade requests (pypi) in requirements.txt from 2.19.0 to >= 2.32.0 so that "
        "CVE-2023-32681, CVE-2024-35195 no longer apply and pip-audit no longer reports them."
    )
    assert any("only the version of requests" in c for c in spec.implementation_constraints)


def test_the_required_outcome_names_the_rule_file_and_weakness(policy: RegorusEngine) -> None:
    spec = _spec(policy, _unit(sast("app/db.py", 12)))

    assert spec.required_outcome == (
        "Remove the pearl.python.sql-injection pattern (CWE-89) from app/db.py (line 12) "
        "without changing behaviour, so that semgrep no longer reports it."
    )
    assert "Add no new dependencies." in spec.implementation_constraints
    assert any("# nosec" in c and "# nosemgrep" in c for c in spec.implementation_constraints)


def test_specs_require_the_evidence_an_outcome_report_carries(policy: RegorusEngine) -> None:
    spec = _spec(policy, _unit(sast()))

    assert spec.evidence_required == list(EVIDENCE_REQUIRED)
    assert spec.evidence_required == [
        "changed_files",
        "commit_sha",
        "test_results",
        "tool_output_digests",
    ]
    assert set(spec.evidence_required) <= set(OutcomeReport.model_fields)


def test_required_tests_are_the_contexts_then_a_rescan_per_tool(policy: RegorusEngine) -> None:
    spec = _spec(policy, _unit(sast()))

    assert spec.required_tests == ["security_baseline_tests", "unit_tests", "rescan:semgrep"]
    assert [ref.ref_id for ref in spec.references] == spec.finding_refs


def test_a_decision_outside_the_contract_fails_closed() -> None:
    unit = _unit(sast())
    made_up = Decision(
        decision_id="dec_1",
        entrypoint=REMEDIATION_ENTRYPOINT,
        decision="probably_fine",
        reasons=(),
        result={"decision": "probably_fine"},
        bundle_hash="0" * 64,
        input_hash="0" * 64,
        latency_us=1.0,
        eval_us=1.0,
    )

    with pytest.raises(PolicyEvaluationError) as caught:
        build_spec(
            unit,
            made_up,
            context=DEV,
            project_id=PROJECT_ID,
            environment=Environment.DEV,
            generated_at=GENERATED_AT,
            trace_id=TRACE_ID,
        )

    assert caught.value.code == "policy_evaluation_failed"


def test_findings_of_another_environment_are_refused(policy: RegorusEngine) -> None:
    unit = _unit(sast(environment=Environment.PROD))

    with pytest.raises(ValidationFailed) as caught:
        eligibility_input(unit, Environment.DEV, DEV)

    assert caught.value.code == "validation_failed"
