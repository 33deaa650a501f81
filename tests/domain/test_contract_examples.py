"""PeaRL's models against the v1.1 contract in ../shared/pearl-spec.

Three promises are checked here:

* every contract example that describes one of PeaRL's entities is accepted
  by its model (read the way PeaRL reads wire payloads, ``model_validate_json``);
* what PeaRL writes, minus its listed extension fields and ``None`` values,
  passes the contract's closed JSON Schemas, so a v1.1 client can read it;
* every difference from the contract is deliberate and listed in
  :data:`DELIBERATE_DIFFERENCES` below (extension fields and extra enum values
  are checked against that table, so an unlisted one fails a test).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from jsonschema import Draft202012Validator
from pydantic import BaseModel, ValidationError

from pearl_core import domain
from pearl_core.domain import (
    ApplicationSpec,
    ApprovalDecision,
    ApprovalRequest,
    CompiledContextPackage,
    EnvironmentProfile,
    ErrorResponse,
    ExceptionRecord,
    Finding,
    Job,
    OrgBaseline,
    Project,
    RemediationSpec,
    Report,
    ReportRequest,
    TaskPacket,
)
from pearl_core.schemas.generate import ENTITIES, build_schemas

ContractErrors = Callable[[str, Any], list[str]]
ContractDump = Callable[[BaseModel], dict[str, Any]]


class Difference(NamedTuple):
    where: str
    what: str
    why: str


#: Every way PeaRL's models differ from the v1.1 contract, and why. A ``where`` of
#: ``Model.a, b`` names fields ``Model.a`` and ``Model.b``; every field in a model's
#: ``PEARL_EXTENSIONS`` must be named (see
#: ``test_every_extension_field_is_listed_as_a_deliberate_difference``).
DELIBERATE_DIFFERENCES: tuple[Difference, ...] = (
    Difference(
        "*.schema_version",
        "defaults to 1.2; any x.y[.z] is read",
        "PeaRL extends v1.1 and says so; 1.1 payloads stay readable",
    ),
    Difference(
        "*.kind, ApprovalRequest.status, ExceptionRecord.status, Job.status",
        "required by the contract, defaulted by PeaRL",
        "constants and initial states; dumps always include them",
    ),
    Difference(
        "*.project_id",
        "must match ^proj_ everywhere",
        "PeaRL only issues proj_ ids; a typo should fail at the edge",
    ),
    Difference(
        "* strings",
        "ids <= 128, labels <= 500, texts bounded; titles, triggers, rationales non-empty",
        "request size limits and storage columns",
    ),
    Difference(
        "* optional fields",
        "None in Python; omit on the wire (exclude_none)",
        "contract types are not nullable",
    ),
    Difference("Integrity.signature", "base64 signature", "verifiable offline by agents"),
    Difference("Integrity.key_id", "signing key id", "key rotation"),
    Difference("FindingSource.tool_version", "scanner version", "explain fingerprint shifts"),
    Difference(
        "Finding.fingerprint",
        "REQUIRED",
        "dedup key across scans; the ingest pipeline computes it before building a Finding",
    ),
    Difference(
        "Finding.cross_tool_key",
        "CVE|ecosystem|package|manifest, or its sha256 past 200 characters",
        "one finding for one vulnerable package reported by several scanners",
    ),
    Difference(
        "Finding.rule_id, cwe_ids, cve_ids, locations, package, fix_available, status, "
        "status_reason, first_seen_at, last_seen_at, updated_at",
        "finding lifecycle and precision",
        "dedup, verification rescans, CWE/CVE-aware policy; see findings.py",
    ),
    Difference(
        "ToolType",
        "adds secrets, iac, container",
        "scanners PeaRL ingests (Gitleaks, Checkov, Trivy images)",
    ),
    Difference(
        "TaskPacket.status, remediation_spec_id, finding_refs, allowed_paths, allowed_commands, "
        "expires_at, lease, denied_attempts, integrity",
        "enforceable packets",
        "leased to one agent, expiring, scoped to paths and commands, signed",
    ),
    Difference(
        "TaskPacket.allowed_packages, verification_tools, compiled_package_id",
        "what a dependency fix may touch; which scanners verify; the context it was cut from",
        "scoped SCA fixes, verification rescans, guard rails under the packet's own context",
    ),
    Difference(
        "TaskPacket.violations, outcome",
        "guard-rail denials while claimed; the agent's evidence",
        "revoking leases after repeated denials; reviewers see what the agent claims",
    ),
    Difference(
        "ApprovalRequest.task_packet_id, action_digest, decided_at, consumed_at",
        "single-use approvals bound to one action",
        "an approval cannot be replayed for another change",
    ),
    Difference(
        "ApprovalRequest.action, bundle_hash, requester_owner_id",
        "the normalised action, the policy it was judged under, the requester's owner",
        "reviewers read what they approve; the owner of an agent cannot approve it",
    ),
    Difference("Job.attempts", "retry counter", "backoff and dead-letter"),
    Difference("Job.idempotency_key", "submission key", "retried requests find their job"),
    Difference("JobStatus", "adds dead_letter", "jobs that exhausted their retries"),
    Difference("JobType", "adds scan", "scanner runs are jobs"),
    Difference("Report.project_id", "the report's project", "list reports per project"),
    Difference(
        "Report.report_type",
        "enum (ReportType) instead of any string",
        "PeaRL only builds the types a ReportRequest can ask for",
    ),
    Difference(
        "ApplicationSpec.iam/network/responsible_ai/autonomous_coding/controls/tests/approvals",
        "carry fields (the contract allows only {})",
        "each feeds its compiled-package section; {} stays valid",
    ),
    Difference("AppIam.least_privilege_required", "spec field", "see app_spec.py"),
    Difference(
        "AppNetwork.outbound_allowlist, public_egress_forbidden", "spec fields", "see app_spec.py"
    ),
    Difference(
        "AppResponsibleAi.ai_disclosure_required, model_provenance_logging_required, "
        "explanation_metadata_required, fairness_review_required, fairness_monitoring_required, "
        "human_review_required_for",
        "spec fields",
        "see app_spec.py",
    ),
    Difference(
        "AppAutonomousCoding.allowed_actions, blocked_actions, approval_required_for, "
        "remediation_rules",
        "spec fields",
        "see app_spec.py",
    ),
    Difference(
        "AppControls.required_controls, prohibited_patterns", "spec fields", "see app_spec.py"
    ),
    Difference("AppTests.security, rai, functional", "spec fields", "see app_spec.py"),
    Difference("AppApprovals.checkpoints", "spec field", "see app_spec.py"),
    Difference(
        "PackageMetadata.input_versions",
        "version and content hash of each input document, and the policy bundle hash",
        "tell a stale package from a current one; compiled_from has ids only",
    ),
    Difference("Promotion, DocumentVersion", "PeaRL-only entities", "no contract schema"),
)

#: Example file -> (model, contract schema under schemas/ without ``.schema.json``).
EXAMPLES: dict[str, tuple[type[BaseModel], str]] = {
    "project/create-project.request.json": (Project, "project/project"),
    "project/create-project.response.json": (Project, "project/project"),
    "project/org-baseline.request.json": (OrgBaseline, "project/org-baseline"),
    "project/app-spec.request.json": (ApplicationSpec, "project/application-spec"),
    "project/environment-profile.request.json": (EnvironmentProfile, "project/environment-profile"),
    "compile/compiled-package.response.json": (
        CompiledContextPackage,
        "context/compiled-context-package",
    ),
    "compile/compile-context.accepted.response.json": (Job, "workflow/job-status"),
    "task-packets/generate-task-packet.response.json": (TaskPacket, "context/task-packet"),
    "remediation/generate-remediation-spec.response.json": (
        RemediationSpec,
        "findings/remediation-spec",
    ),
    "findings/findings-ingest.request.json": (Finding, "findings/finding"),
    "approvals/create-approval.request.json": (ApprovalRequest, "workflow/approval-request"),
    "approvals/decision.request.json": (ApprovalDecision, "workflow/approval-decision"),
    "approvals/decision.response.json": (ApprovalDecision, "workflow/approval-decision"),
    "exceptions/create-exception.request.json": (ExceptionRecord, "workflow/exception-record"),
    "reports/generate-report.request.json": (ReportRequest, "workflow/report-request"),
    "reports/generate-report.response.json": (Report, "workflow/report-response"),
    "errors/validation-error.response.json": (ErrorResponse, "common/error-response"),
}


def _entities(example: str, payload: Any) -> list[Any]:
    """The entity payloads in an example. The ingest batch wraps findings, which
    get the fingerprint ingest would compute (the contract has none)."""
    if example == "findings/findings-ingest.request.json":
        return [{**f, "fingerprint": f"fp-{f['finding_id']}"} for f in payload["findings"]]
    return [payload]


#: Examples that are commands or receipts of the REST layer, not domain entities.
NOT_ENTITIES = {
    "compile/compile-context.request.json": "a compile command (REST request model)",
    "findings/findings-ingest.response.json": "an ingest receipt (REST response model)",
    "remediation/generate-remediation-spec.request.json": "a generate command",
    "task-packets/generate-task-packet.request.json": "a generate command",
}


def test_every_example_is_checked_or_explained(spec_dir: Path) -> None:
    on_disk = {
        p.relative_to(spec_dir / "examples").as_posix()
        for p in (spec_dir / "examples").rglob("*.json")
    }
    assert on_disk == set(EXAMPLES) | set(NOT_ENTITIES)


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_contract_example_is_accepted_and_round_trips_to_the_contract(
    spec_dir: Path, example: str, contract_errors: ContractErrors, contract_dump: ContractDump
) -> None:
    model, schema = EXAMPLES[example]
    payload = json.loads((spec_dir / "examples" / example).read_text(encoding="utf-8"))
    for entity in _entities(example, payload):
        parsed = model.model_validate_json(json.dumps(entity))
        assert contract_errors(f"{schema}.schema.json", contract_dump(parsed)) == []


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_published_schemas_accept_contract_examples(spec_dir: Path, example: str) -> None:
    model, _ = EXAMPLES[example]
    stem = next(stem for stem, entity in ENTITIES.items() if entity is model)
    validator = Draft202012Validator(build_schemas()[f"{stem}.schema.json"])
    payload = json.loads((spec_dir / "examples" / example).read_text(encoding="utf-8"))
    for entity in _entities(example, payload):
        assert [err.message for err in validator.iter_errors(entity)] == []


def test_contract_finding_without_fingerprint_is_refused(spec_dir: Path) -> None:
    payload = json.loads(
        (spec_dir / "examples/findings/findings-ingest.request.json").read_text(encoding="utf-8")
    )
    with pytest.raises(ValidationError, match="fingerprint"):
        Finding.model_validate_json(json.dumps(payload["findings"][0]))


CONTRACT_SCHEMA_OF = {
    model.__name__: f"{schema}.schema.json" for model, schema in EXAMPLES.values()
}


#: Entities carrying PeaRL extensions (directly or nested), built in conftest.full_models.
FULLY_POPULATED = (
    "Finding",
    "TaskPacket",
    "ApplicationSpec",
    "CompiledContextPackage",
    "RemediationSpec",
    "ApprovalRequest",
    "Job",
    "Report",
)


@pytest.mark.parametrize("name", FULLY_POPULATED)
def test_pearl_output_minus_extensions_passes_the_closed_contract(
    name: str,
    full_models: dict[str, BaseModel],
    contract_errors: ContractErrors,
    contract_dump: ContractDump,
) -> None:
    model = full_models[name]
    assert contract_errors(CONTRACT_SCHEMA_OF[name], contract_dump(model)) == []


def test_every_fully_populated_model_is_checked(full_models: dict[str, BaseModel]) -> None:
    assert set(full_models) == set(FULLY_POPULATED)


def test_pearl_output_with_extensions_is_not_v1_1(
    full_models: dict[str, BaseModel], contract_errors: ContractErrors
) -> None:
    packet = full_models["TaskPacket"].model_dump(mode="json", exclude_none=True)
    errors = contract_errors("context/task-packet.schema.json", packet)
    assert any("Additional properties" in err for err in errors)


def _models_with_extensions() -> dict[str, frozenset[str]]:
    found = {}
    for name in domain.__all__:
        obj = getattr(domain, name)
        if isinstance(obj, type) and issubclass(obj, BaseModel) and "PEARL_EXTENSIONS" in vars(obj):
            found[name] = vars(obj)["PEARL_EXTENSIONS"]
    return found


def test_every_extension_field_is_listed_as_a_deliberate_difference() -> None:
    listed = set()
    for difference in DELIBERATE_DIFFERENCES:
        model, _, fields = difference.where.partition(".")
        listed |= {f"{model}.{field.strip()}" for field in fields.split(",")}
    missing = {
        f"{model}.{field}"
        for model, fields in _models_with_extensions().items()
        for field in fields
        if f"{model}.{field}" not in listed
    }
    assert missing == set()
