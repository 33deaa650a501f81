"""Behaviour of the domain models: what they accept, what they refuse, and why."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from pearl_core import domain
from pearl_core.canonical import sha256_hex
from pearl_core.domain import (
    SCHEMA_VERSION,
    ApprovalDecision,
    ApprovalDecisionValue,
    DocumentVersion,
    Environment,
    ErrorBody,
    Finding,
    FindingStatus,
    Integrity,
    Job,
    JobStatus,
    Lease,
    Location,
    OrgBaseline,
    Project,
    Promotion,
    Report,
    TaskPacket,
    TaskPacketStatus,
    TrustBoundary,
)
from pearl_core.errors import ReasonRequired

NOW = datetime(2026, 2, 21, 16, 30, tzinfo=UTC)
TRACE = "trc_0123456789"

PROJECT_JSON: dict[str, Any] = {
    "project_id": "proj_demo",
    "name": "Demo",
    "owner_team": "team-a",
    "business_criticality": "high",
    "external_exposure": "public",
    "ai_enabled": True,
    "created_at": "2026-02-21T10:30:00-06:00",
}

FINDING_JSON: dict[str, Any] = {
    "finding_id": "find_1",
    "source": {"tool_name": "bandit", "tool_type": "sast", "trust_label": "trusted_internal"},
    "project_id": "proj_demo",
    "environment": "dev",
    "category": "security",
    "severity": "high",
    "title": "Use of assert",
    "detected_at": "2026-02-21T16:30:00Z",
    "fingerprint": "fp_1",
}

PACKET_JSON: dict[str, Any] = {
    "task_packet_id": "tp_1",
    "project_id": "proj_demo",
    "environment": "dev",
    "task_type": "remediation",
    "task_summary": "Fix it",
    "allowed_actions": ["code_edit"],
    "blocked_actions": [],
    "trace_id": TRACE,
    "generated_at": "2026-02-21T16:30:00Z",
}


def _load(model: Any, payload: dict[str, Any], **changes: Any) -> Any:
    return model.model_validate_json(json.dumps({**payload, **changes}))


def _errors(model: Any, payload: dict[str, Any], **changes: Any) -> list[tuple[Any, ...]]:
    with pytest.raises(ValidationError) as caught:
        _load(model, payload, **changes)
    return [error["loc"] for error in caught.value.errors()]


def test_a_project_id_without_the_proj_prefix_is_refused() -> None:
    assert _errors(Project, PROJECT_JSON, project_id="prj_demo") == [("project_id",)]


def test_a_timestamp_without_a_timezone_is_refused() -> None:
    assert _errors(Project, PROJECT_JSON, created_at="2026-02-21T10:30:00") == [("created_at",)]


def test_a_naive_datetime_from_python_is_refused() -> None:
    with pytest.raises(ValidationError):
        Job(
            job_id="job_1",
            job_type=domain.JobType.REPORT,
            created_at=datetime(2026, 1, 1),  # naive on purpose
            updated_at=NOW,
            trace_id=TRACE,
        )


def test_an_unknown_field_is_refused() -> None:
    assert _errors(Project, PROJECT_JSON, colour="blue") == [("colour",)]


def test_an_unknown_environment_is_refused() -> None:
    assert _errors(Finding, FINDING_JSON, environment="staging") == [("environment",)]


def test_strict_models_do_not_coerce_strings_into_booleans() -> None:
    assert _errors(Project, PROJECT_JSON, ai_enabled="yes") == [("ai_enabled",)]


def test_a_project_name_cannot_be_empty() -> None:
    assert _errors(Project, PROJECT_JSON, name="") == [("name",)]


def test_new_projects_write_pearls_schema_version_and_read_v1_1() -> None:
    assert _load(Project, PROJECT_JSON).schema_version == SCHEMA_VERSION == "1.2"
    assert _load(Project, PROJECT_JSON, schema_version="1.1").schema_version == "1.1"
    assert _errors(Project, PROJECT_JSON, schema_version="v1") == [("schema_version",)]


def test_a_new_finding_is_open() -> None:
    assert _load(Finding, FINDING_JSON).status is FindingStatus.OPEN


def test_a_finding_needs_a_fingerprint() -> None:
    payload = {k: v for k, v in FINDING_JSON.items() if k != "fingerprint"}
    assert _errors(Finding, payload) == [("fingerprint",)]


def test_cwe_ids_must_look_like_cwe_ids() -> None:
    assert _load(Finding, FINDING_JSON, cwe_ids=["CWE-89"]).cwe_ids == ["CWE-89"]
    assert _errors(Finding, FINDING_JSON, cwe_ids=["89"]) == [("cwe_ids", 0)]


def test_advisory_ids_other_than_cve_are_refused_as_cve_ids() -> None:
    assert _errors(Finding, FINDING_JSON, cve_ids=["GHSA-abcd-efgh-ijkl"]) == [("cve_ids", 0)]


def test_pearl_tool_types_beyond_the_contract_are_accepted() -> None:
    source = {**FINDING_JSON["source"], "tool_type": "secrets", "tool_version": "8.18.0"}
    assert _load(Finding, FINDING_JSON, source=source).source.tool_type == "secrets"


def test_assigning_a_bad_status_is_refused() -> None:
    finding = _load(Finding, FINDING_JSON)
    with pytest.raises(ValidationError):
        finding.status = "done"


def test_a_location_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValidationError, match="before start_line"):
        Location(path="a.py", start_line=5, end_line=4)
    with pytest.raises(ValidationError, match="needs a start_line"):
        Location(path="a.py", end_line=4)
    assert Location(path="a.py").start_line is None


def test_a_lease_must_expire_after_it_was_claimed() -> None:
    with pytest.raises(ValidationError, match="expire after"):
        Lease(holder_id="sa_1", claimed_at=NOW, expires_at=NOW)


def test_a_new_task_packet_is_available_and_unleased() -> None:
    packet = _load(TaskPacket, PACKET_JSON)
    assert (packet.status, packet.lease, packet.denied_attempts) == (
        TaskPacketStatus.AVAILABLE,
        None,
        0,
    )
    assert packet.allowed_paths == packet.allowed_commands == []


def test_a_task_packet_needs_its_allowed_and_blocked_actions() -> None:
    payload = {k: v for k, v in PACKET_JSON.items() if k != "blocked_actions"}
    assert _errors(TaskPacket, payload) == [("blocked_actions",)]


def test_claiming_a_packet_does_not_change_what_was_signed() -> None:
    packet = _load(TaskPacket, PACKET_JSON)
    claimed = packet.model_copy(
        update={
            "status": TaskPacketStatus.CLAIMED,
            "lease": Lease(holder_id="sa_1", claimed_at=NOW, expires_at=NOW + timedelta(1)),
            "denied_attempts": 2,
            "integrity": Integrity(signed=True, hash="f" * 64),
        }
    )
    widened = packet.model_copy(update={"allowed_paths": ["**"]})
    assert claimed.signing_body() == packet.signing_body() != widened.signing_body()


def test_integrity_needs_a_base64_signature_and_a_contract_length_hash() -> None:
    assert Integrity(signed=True, signature="c2ln+/==").signature == "c2ln+/=="
    with pytest.raises(ValidationError):
        Integrity(signed=True, signature="not base64!")
    with pytest.raises(ValidationError):
        Integrity(signed=False, hash="abc")


def test_an_approval_decision_cannot_be_edited() -> None:
    decision = ApprovalDecision(
        approval_request_id="appr_1",
        decision=ApprovalDecisionValue.APPROVE,
        decided_by="usr_1",
        decider_role="reviewer",
        decided_at=NOW,
        trace_id=TRACE,
    )
    with pytest.raises(ValidationError):
        decision.decision = ApprovalDecisionValue.REJECT  # type: ignore[misc]


def test_a_promotion_must_change_environment() -> None:
    fields: dict[str, Any] = {
        "promotion_id": "prom_1",
        "project_id": "proj_demo",
        "requested_by": "usr_1",
        "created_at": NOW,
        "updated_at": NOW,
        "trace_id": TRACE,
    }
    assert Promotion(**fields, from_environment=Environment.DEV, to_environment=Environment.PROD)
    with pytest.raises(ValidationError, match="change the environment"):
        Promotion(**fields, from_environment=Environment.DEV, to_environment=Environment.DEV)


def test_a_document_version_needs_a_reason_a_sha256_and_a_positive_version() -> None:
    fields: dict[str, Any] = {
        "kind": "app_spec",
        "doc_id": "proj_demo",
        "project_id": "proj_demo",
        "version": 1,
        "content_hash": sha256_hex(b"{}"),
        "created_by": "usr_1",
        "created_at": NOW,
        "reason": "first version",
    }
    assert DocumentVersion(**fields).version == 1
    for bad in ({"reason": ""}, {"content_hash": "abc"}, {"version": 0}, {"kind": "policy"}):
        with pytest.raises(ValidationError):
            DocumentVersion(**{**fields, **bad})


def test_trust_boundaries_read_and_write_from_on_the_wire() -> None:
    boundary = TrustBoundary.model_validate_json('{"id": "b1", "from": "internet", "to": "api"}')
    assert boundary.from_ == "internet"
    assert boundary.model_dump() == {"id": "b1", "from": "internet", "to": "api"}
    assert TrustBoundary(id="b2", from_="api").model_dump(exclude_none=True) == {
        "id": "b2",
        "from": "api",
    }


def test_org_baseline_environment_defaults_are_keyed_by_environment() -> None:
    payload = {
        "baseline_id": "orgb_1",
        "org_name": "Acme",
        "defaults": {"coding": {}, "iam": {}, "network": {}, "testing": {}},
        "environment_defaults": {"prod": {"approval_level": "strict"}},
    }
    baseline = _load(OrgBaseline, payload)
    assert baseline.environment_defaults == {Environment.PROD: {"approval_level": "strict"}}
    assert _errors(OrgBaseline, payload, environment_defaults={"staging": {}})


def test_a_new_job_is_queued_with_no_attempts() -> None:
    job = Job(
        job_id="job_1", job_type=domain.JobType.SCAN, created_at=NOW, updated_at=NOW, trace_id=TRACE
    )
    assert (job.status, job.attempts, job.idempotency_key) == (JobStatus.QUEUED, 0, None)


def test_a_markdown_report_carries_text() -> None:
    fields = {"report_id": "rpt_1", "report_type": "residual_risk", "status": "ready"}
    report = _load(Report, fields, format="markdown", content="# Risk", trace_id=TRACE)
    assert report.content == "# Risk"


def test_a_pearl_error_becomes_a_contract_error_body() -> None:
    body = ErrorBody(
        **ReasonRequired("a reason is required").to_dict(), trace_id=TRACE, timestamp=NOW
    )
    assert body.code == "reason_required"


def test_the_domain_surface_exports_only_real_names() -> None:
    assert [name for name in domain.__all__ if not hasattr(domain, name)] == []
    assert len(set(domain.__all__)) == len(domain.__all__)
