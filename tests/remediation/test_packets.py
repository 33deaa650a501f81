"""Task packets: the least a fix needs, in the guard rails' vocabulary."""

from __future__ import annotations

import json
from datetime import timedelta, timezone

import pytest
from remediation_inputs import (
    GENERATED_AT,
    PACKAGE_ID,
    PROJECT_ID,
    TRACE_ID,
    sast,
    sca,
    secret,
    seed_context,
)

from pearl_core import CompiledContextPackage, Finding, RegorusEngine
from pearl_core.domain.enums import RiskLevel
from pearl_core.domain.remediation import RemediationSpec, TaskPacket
from pearl_core.errors import HumanRequired, ValidationFailed
from pearl_core.remediation import (
    ACTION_CAPABILITIES,
    WorkUnit,
    build_packet,
    build_spec,
    eligibility_input,
    evaluate_eligibility,
    group_findings,
)
from pearl_core.settings import default_policies_dir

DEV = seed_context()
TTL = timedelta(hours=4)


def _plan(
    policy: RegorusEngine, *findings: Finding, context: CompiledContextPackage = DEV
) -> tuple[RemediationSpec, WorkUnit]:
    [unit] = group_findings(findings)
    decision = evaluate_eligibility(policy, eligibility_input(unit, context.environment, context))
    spec = build_spec(
        unit,
        decision,
        context=context,
        project_id=PROJECT_ID,
        environment=context.environment,
        generated_at=GENERATED_AT,
        trace_id=TRACE_ID,
    )
    return spec, unit


def _packet(
    policy: RegorusEngine, *findings: Finding, context: CompiledContextPackage = DEV
) -> TaskPacket:
    spec, unit = _plan(policy, *findings, context=context)
    return build_packet(
        spec,
        unit,
        context,
        generated_at=GENERATED_AT,
        ttl=TTL,
        trace_id=TRACE_ID,
        signer=None,
        compiled_package_id=PACKAGE_ID,
    )


def test_a_code_packet_scopes_the_file_its_tests_and_the_usual_commands(
    policy: RegorusEngine,
) -> None:
    packet = _packet(policy, sast("app/db.py", 10), sast("app/db.py", 50))

    assert packet.allowed_paths == ["app/db.py", "tests/**"]
    assert packet.allowed_actions == ["command_run", "file_read", "file_write", "git_commit"]
    assert packet.allowed_commands == [
        "pytest",
        "python -m pytest",
        "ruff check",
        "ruff format",
        "git status",
        "git diff",
        "git add",
        "git commit",
    ]
    assert packet.allowed_packages == []
    assert {"deploy", "git_push", "network_egress", "prod_deploy"} <= set(packet.blocked_actions)
    assert packet.verification_tools == ["semgrep"]
    assert packet.relevant_controls == ["CWE-89"]
    assert packet.compiled_package_id == PACKAGE_ID


def test_an_sca_packet_allows_dependency_change_of_its_package_only(
    policy: RegorusEngine,
) -> None:
    packet = _packet(
        policy, sca("Requests", "2.31.0"), sca("requests", "2.32.0", cve="CVE-2023-32681")
    )

    assert "dependency_change" in packet.allowed_actions
    assert packet.allowed_packages == ["requests"]
    assert packet.allowed_paths == ["requirements.txt", "tests/**"]
    assert packet.allowed_commands[-2:] == ["pip install", "python -m pip install"]
    assert packet.verification_tools == ["pip-audit"]
    assert packet.task_summary == "Upgrade requests in requirements.txt to >= 2.32.0 (2 findings)."


def test_a_packet_never_grants_more_than_the_context_allows(policy: RegorusEngine) -> None:
    narrow = seed_context(allowed_capabilities=["code_read", "code_edit"])

    packet = _packet(policy, sca("requests"), context=narrow)

    assert packet.allowed_actions == ["file_read", "file_write", "git_commit"]
    assert packet.allowed_commands == ["git commit"]
    assert packet.allowed_packages == []


def test_packet_carries_the_specs_tests_evidence_and_triggers(policy: RegorusEngine) -> None:
    spec, unit = _plan(policy, sast(severity=RiskLevel.CRITICAL))

    packet = build_packet(
        spec,
        unit,
        DEV,
        generated_at=GENERATED_AT,
        ttl=TTL,
        trace_id=TRACE_ID,
        signer=None,
        compiled_package_id=None,
    )

    assert packet.required_tests == spec.required_tests
    assert packet.evidence_required == spec.evidence_required
    # auto_allowed_with_approval: the commit waits for a human (APPROVAL_GATE_ACTION)
    assert packet.approval_triggers == ["git_commit", "severity_above_autonomous_ceiling"]
    assert packet.finding_refs == spec.finding_refs
    assert packet.remediation_spec_id == spec.remediation_spec_id
    assert packet.expires_at == GENERATED_AT + TTL
    assert packet.context_budget is not None
    assert packet.context_budget.deep_fetch_required is False


def test_packet_ids_depend_on_the_spec_and_the_instant_only(policy: RegorusEngine) -> None:
    spec, unit = _plan(policy, sast())
    common = {"ttl": TTL, "trace_id": TRACE_ID, "signer": None, "compiled_package_id": None}
    elsewhere = GENERATED_AT.astimezone(timezone(timedelta(hours=-6)))

    first = build_packet(spec, unit, DEV, generated_at=GENERATED_AT, **common)
    same_instant = build_packet(spec, unit, DEV, generated_at=elsewhere, **common)
    later = build_packet(spec, unit, DEV, generated_at=GENERATED_AT + timedelta(1), **common)

    assert first.task_packet_id == same_instant.task_packet_id != later.task_packet_id
    assert first.task_packet_id.startswith("tp_")
    assert len(first.task_packet_id) == 27


def test_a_secret_gets_no_packet_because_a_human_must_rotate_it(policy: RegorusEngine) -> None:
    spec, unit = _plan(policy, secret())

    with pytest.raises(HumanRequired) as caught:
        build_packet(
            spec,
            unit,
            DEV,
            generated_at=GENERATED_AT,
            ttl=TTL,
            trace_id=TRACE_ID,
            signer=None,
            compiled_package_id=None,
        )

    assert caught.value.code == "human_required"


@pytest.mark.parametrize(
    "change",
    [
        {"ttl": timedelta(0)},
        {"generated_at": GENERATED_AT.replace(tzinfo=None)},
        {"compiled_package_id": "pkg_another"},
        {"unit": "another"},
    ],
    ids=["no-ttl", "naive-time", "other-package", "other-unit"],
)
def test_inconsistent_packet_inputs_are_refused(
    policy: RegorusEngine, change: dict[str, object]
) -> None:
    spec, unit = _plan(policy, sast())
    if change.pop("unit", None):
        [unit] = group_findings([sast("app/orders.py")])
    arguments: dict[str, object] = {
        "generated_at": GENERATED_AT,
        "ttl": TTL,
        "trace_id": TRACE_ID,
        "signer": None,
        "compiled_package_id": PACKAGE_ID,
    } | change

    with pytest.raises(ValidationFailed) as caught:
        build_packet(spec, unit, DEV, **arguments)

    assert caught.value.code == "validation_failed"


def test_action_capabilities_match_the_guard_rail_data() -> None:
    by_action = json.loads((default_policies_dir() / "guardrails.json").read_text())["by_action"]

    for action, capability in ACTION_CAPABILITIES.items():
        assert by_action[action]["capability"] == capability
