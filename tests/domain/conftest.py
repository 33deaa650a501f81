"""Domain test fixtures: the contract's JSON Schemas, contract-shaped dumps, and
fully populated models (every optional field and extension set) to dump."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import BaseModel
from referencing import Registry, Resource

from pearl_core import domain as d
from pearl_core.domain import enums as e

NOW = datetime(2026, 2, 21, 16, 30, tzinfo=UTC)
TRACE = "trc_0123456789"


def _extension_exclude(model: BaseModel) -> dict[Any, Any]:
    """A pydantic ``exclude`` spec dropping every ``PEARL_EXTENSIONS`` field, nested too."""
    exclude: dict[Any, Any] = dict.fromkeys(getattr(type(model), "PEARL_EXTENSIONS", ()), True)
    for name in type(model).model_fields:
        value = getattr(model, name)
        if name in exclude:
            continue
        if isinstance(value, BaseModel) and (nested := _extension_exclude(value)):
            exclude[name] = nested
        elif isinstance(value, list):
            items = {
                i: _extension_exclude(v) for i, v in enumerate(value) if isinstance(v, BaseModel)
            }
            if items := {i: spec for i, spec in items.items() if spec}:
                exclude[name] = items
    return exclude


def dump_for_contract(model: BaseModel) -> dict[str, Any]:
    """``model`` as a v1.1 client should receive it: no extensions, no nulls."""
    return model.model_dump(mode="json", exclude=_extension_exclude(model), exclude_none=True)


@pytest.fixture
def contract_dump() -> Callable[[BaseModel], dict[str, Any]]:
    return dump_for_contract


@pytest.fixture
def contract_errors(spec_dir: Path) -> Callable[[str, Any], list[str]]:
    """``(schema file under schemas/, payload) -> errors`` against the closed contract."""
    resources = []
    for path in sorted((spec_dir / "schemas").rglob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"], Resource.from_contents(schema)))
    registry: Registry[Any] = Registry().with_resources(resources)

    def errors(schema_file: str, payload: Any) -> list[str]:
        schema = json.loads((spec_dir / "schemas" / schema_file).read_text(encoding="utf-8"))
        validator = Draft202012Validator(schema, registry=registry)
        return [
            f"{list(err.absolute_path)}: {err.message}" for err in validator.iter_errors(payload)
        ]

    return errors


def _integrity() -> d.Integrity:
    return d.Integrity(
        signed=True,
        hash="a" * 64,
        hash_alg=e.HashAlg.SHA256,
        signer="pearl",
        signature_ref="sig://1",
        compiled_at=NOW,
        signature="c2lnbmF0dXJl",
        key_id="key_1",
    )


def _finding() -> d.Finding:
    return d.Finding(
        finding_id="find_1",
        source=d.FindingSource(
            tool_name="semgrep",
            tool_type=e.ToolType.SAST,
            connector_id="conn_1",
            trust_label=e.TrustLabel.TRUSTED_INTERNAL,
            raw_record_ref="raw://1",
            tool_version="1.90.0",
        ),
        project_id="proj_demo",
        environment=e.Environment.DEV,
        category=e.FindingCategory.SECURITY,
        severity=e.RiskLevel.HIGH,
        confidence=e.Confidence.HIGH,
        title="SQL injection",
        description="Query built by hand.",
        affected_components=["api"],
        control_refs=["input_validation"],
        exploitability=e.Exploitability.MEDIUM,
        detected_at=NOW,
        normalized=True,
        traceability=d.TraceabilityRef(trace_id=TRACE, source_refs=["semgrep:1"]),
        rule_id="python.sqli",
        cwe_ids=["CWE-89"],
        cve_ids=["CVE-2024-12345"],
        locations=[
            d.Location(
                path="app/db.py",
                start_line=3,
                end_line=4,
                start_column=1,
                end_column=9,
                snippet_hash="b" * 64,
            )
        ],
        package=d.PackageRef(
            ecosystem="pypi",
            name="flask",
            version="2.0.0",
            fixed_version="2.3.2",
            manifest_path="requirements.txt",
            purl="pkg:pypi/flask@2.0.0",
        ),
        fix_available=True,
        fingerprint="fp_1",
        cross_tool_key="CVE-2023-30861|pypi|flask|requirements.txt",
        status=e.FindingStatus.TRIAGED,
        status_reason="confirmed",
        first_seen_at=NOW,
        last_seen_at=NOW,
        updated_at=NOW,
    )


def _task_packet() -> d.TaskPacket:
    return d.TaskPacket(
        task_packet_id="tp_1",
        project_id="proj_demo",
        environment=e.Environment.DEV,
        task_type=e.TaskType.REMEDIATION,
        task_summary="Parameterise the query",
        affected_components=["api"],
        relevant_controls=["input_validation"],
        relevant_rai_requirements=["transparency"],
        allowed_actions=["code_edit"],
        blocked_actions=["prod_deploy"],
        required_tests=["sqli_tests"],
        approval_triggers=["auth_flow_change"],
        evidence_required=["test_results"],
        reassessment_triggers=["new_trust_boundary"],
        references=[
            d.Reference(ref_id="find_1", kind=e.ReferenceKind.FINDING, summary="s", uri="u")
        ],
        trace_id=TRACE,
        generated_at=NOW,
        status=e.TaskPacketStatus.CLAIMED,
        remediation_spec_id="rs_1",
        finding_refs=["find_1"],
        allowed_paths=["app/**/*.py"],
        allowed_commands=["pytest"],
        expires_at=NOW + timedelta(hours=4),
        lease=d.Lease(
            holder_id="sa_agent",
            claimed_at=NOW,
            expires_at=NOW + timedelta(minutes=15),
            heartbeat_at=NOW,
        ),
        denied_attempts=1,
        integrity=_integrity(),
    )


def _app_spec() -> d.ApplicationSpec:
    return d.ApplicationSpec(
        application=d.Application(
            app_id="demo-app",
            owner_team="team-a",
            business_criticality=e.BusinessCriticality.HIGH,
            external_exposure=e.ExternalExposure.PUBLIC,
            ai_enabled=True,
        ),
        architecture=d.Architecture(components=[d.Component(id="api", type="service")]),
        iam=d.AppIam(least_privilege_required=True),
        network=d.AppNetwork(outbound_allowlist=["llm.internal"], public_egress_forbidden=True),
        responsible_ai=d.AppResponsibleAi(
            ai_disclosure_required=True,
            explanation_metadata_required="basic",
            human_review_required_for=["refunds"],
        ),
        autonomous_coding=d.AppAutonomousCoding(
            allowed_actions=["code_edit"],
            blocked_actions=["prod_deploy"],
            approval_required_for=["auth_flow_change"],
            remediation_rules=[
                d.EligibilityRule(match="dep_pin", eligibility=e.Eligibility.AUTO_ALLOWED)
            ],
        ),
        controls=d.AppControls(required_controls=["authz_checks"], prohibited_patterns=["eval"]),
        tests=d.AppTests(security=["authz_negative_tests"]),
        approvals=d.AppApprovals(
            checkpoints=[d.ApprovalCheckpoint(checkpoint_id="cp_1", trigger="auth_flow_change")]
        ),
        integrity=_integrity(),
    )


def _input(doc_id: str) -> d.InputVersion:
    return d.InputVersion(doc_id=doc_id, version=2, content_hash="e" * 64)


def _compiled_package() -> d.CompiledContextPackage:
    return d.CompiledContextPackage(
        package_metadata=d.PackageMetadata(
            package_id="pkg_1",
            compiled_from=d.CompiledFrom(
                org_baseline_id="orgb_1",
                app_spec_id="demo-app",
                environment_profile_id="envp_1",
                remediation_overlay_id="ovl_1",
            ),
            integrity=_integrity(),
            compiler_version="pearl-context/1",
            merge_precedence_version="1",
            input_versions=d.InputVersions(
                org_baseline=_input("orgb_1"),
                app_spec=_input("proj_demo"),
                environment_profile=_input("envp_1"),
                policy_bundle_hash="f" * 64,
            ),
        ),
        project_identity=d.ProjectIdentity(
            project_id="proj_demo",
            app_id="demo-app",
            environment=e.Environment.DEV,
            delivery_stage=e.DeliveryStage.PROTOTYPE,
            ai_enabled=True,
        ),
        environment_profile={"risk_level": "low"},
        autonomy_policy=d.AutonomyPolicy(
            mode=e.AutonomyMode.SUPERVISED_AUTONOMOUS,
            allowed_actions=["code_edit"],
            blocked_actions=["prod_deploy"],
            approval_required_for=["auth_flow_change"],
        ),
        security_requirements=d.SecurityRequirements(
            required_controls=["authz_checks"], prohibited_patterns=["hardcoded_secrets"]
        ),
        responsible_ai_requirements=d.ResponsibleAiRequirements(
            transparency=d.RaiTransparency(ai_disclosure_required=True),
            fairness=d.RaiFairness(review_required=True, monitoring_required=False),
            oversight=d.RaiOversight(human_review_required_for=["refunds"]),
        ),
        iam_requirements=d.IamRequirements(least_privilege_required=True),
        network_requirements=d.NetworkRequirements(
            outbound_allowlist=["llm.internal"], public_egress_forbidden=True
        ),
        data_handling_requirements=d.DataHandlingRequirements(
            prohibited_in_model_context=["full_ssn"]
        ),
        tool_and_model_constraints=d.ToolAndModelConstraints(allowed_tool_classes=["tests"]),
        required_tests=d.RequiredTests(security=["authz_negative_tests"]),
        approval_checkpoints=[
            d.ApprovalCheckpoint(
                checkpoint_id="cp_1",
                trigger="auth_flow_change",
                required_roles=["reviewer"],
                environment=e.Environment.DEV,
            )
        ],
        evidence_requirements=["test_results"],
        change_reassessment_triggers=d.ReassessmentTriggers(architecture_delta=["new_api"]),
        autonomous_remediation_eligibility=d.RemediationEligibility(
            default=e.Eligibility.HUMAN_REQUIRED,
            rules=[d.EligibilityRule(match="dep_pin", eligibility=e.Eligibility.AUTO_ALLOWED)],
        ),
        exceptions=["exc_1"],
        traceability=d.TraceabilityRef(trace_id=TRACE, source_refs=["orgb_1"]),
        references=[d.Reference(ref_id="pkg_1", kind=e.ReferenceKind.ARTIFACT)],
    )


def full_models() -> list[BaseModel]:
    """One fully populated instance of each entity that carries PeaRL extensions
    (directly or in a nested object)."""
    return [
        _finding(),
        _task_packet(),
        _app_spec(),
        _compiled_package(),
        d.RemediationSpec(
            remediation_spec_id="rs_1",
            project_id="proj_demo",
            environment=e.Environment.DEV,
            finding_refs=["find_1"],
            risk_summary=d.RiskSummary(risk_level=e.RiskLevel.HIGH, confidence=e.Confidence.HIGH),
            eligibility=e.Eligibility.AUTO_ALLOWED,
            required_outcome="No SQL injection",
            trace_id=TRACE,
            generated_at=NOW,
            integrity=_integrity(),
        ),
        d.ApprovalRequest(
            approval_request_id="appr_1",
            project_id="proj_demo",
            environment=e.Environment.PROD,
            request_type=e.ApprovalRequestType.DEPLOYMENT_GATE,
            trigger="promotion",
            requested_by="sa_agent",
            required_roles=["reviewer"],
            artifact_refs=["prom_1"],
            created_at=NOW,
            expires_at=NOW + timedelta(days=1),
            trace_id=TRACE,
            task_packet_id="tp_1",
            action_digest="d" * 64,
            decided_at=NOW,
            consumed_at=NOW,
        ),
        d.Job(
            job_id="job_1",
            status=e.JobStatus.FAILED,
            job_type=e.JobType.COMPILE_CONTEXT,
            project_id="proj_demo",
            created_at=NOW,
            updated_at=NOW,
            trace_id=TRACE,
            result_refs=[d.Reference(ref_id="pkg_1", kind=e.ReferenceKind.ARTIFACT)],
            errors=[
                d.ErrorBody(
                    code="validation_failed",
                    message="bad",
                    details={"f": 1},
                    trace_id=TRACE,
                    timestamp=NOW,
                )
            ],
            attempts=3,
            idempotency_key="idem-1",
        ),
        d.Report(
            report_id="rpt_1",
            report_type=e.ReportType.RELEASE_READINESS,
            status=e.ReportStatus.READY,
            format=e.ReportFormat.MARKDOWN,
            content="# Ready",
            artifact_ref="file://r.md",
            trace_id=TRACE,
            generated_at=NOW,
            project_id="proj_demo",
        ),
    ]


@pytest.fixture(name="full_models")
def full_models_fixture() -> dict[str, BaseModel]:
    return {type(model).__name__: model for model in full_models()}
