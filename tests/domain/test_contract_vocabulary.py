"""PeaRL's enums speak the v1.1 contract's vocabulary, plus only the listed extras."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest

from pearl_core.domain import enums as e


def _defs_enum(spec_dir: Path, schema_file: str, *pointer: str) -> set[str]:
    node: Any = json.loads((spec_dir / "schemas" / schema_file).read_text(encoding="utf-8"))
    for key in pointer:
        node = node[key]
    return set(node["enum"])


_COMMON = "common/common-defs.schema.json"
VOCABULARY: list[tuple[type[StrEnum], str, tuple[str, ...], set[str]]] = [
    (e.Environment, _COMMON, ("$defs", "environment"), set()),
    (e.DeliveryStage, _COMMON, ("$defs", "delivery_stage"), set()),
    (e.RiskLevel, _COMMON, ("$defs", "risk_level"), set()),
    (e.AutonomyMode, _COMMON, ("$defs", "autonomy_mode"), set()),
    (e.TrustLabel, _COMMON, ("$defs", "trust_label"), set()),
    (e.HashAlg, _COMMON, ("$defs", "integrity", "properties", "hash_alg"), set()),
    (e.ReferenceKind, _COMMON, ("$defs", "reference", "properties", "kind"), set()),
    (
        e.BusinessCriticality,
        "project/project.schema.json",
        ("properties", "business_criticality"),
        set(),
    ),
    (e.ExternalExposure, "project/project.schema.json", ("properties", "external_exposure"), set()),
    (
        e.ApprovalLevel,
        "project/environment-profile.schema.json",
        ("properties", "approval_level"),
        set(),
    ),
    (
        e.ToolType,
        "findings/finding.schema.json",
        ("properties", "source", "properties", "tool_type"),
        {"secrets", "iac", "container"},
    ),
    (e.FindingCategory, "findings/finding.schema.json", ("properties", "category"), set()),
    (e.Confidence, "findings/finding.schema.json", ("properties", "confidence"), set()),
    (e.Exploitability, "findings/finding.schema.json", ("properties", "exploitability"), set()),
    (e.Eligibility, "findings/remediation-spec.schema.json", ("properties", "eligibility"), set()),
    (e.TaskType, "context/task-packet.schema.json", ("properties", "task_type"), set()),
    (
        e.ApprovalRequestType,
        "workflow/approval-request.schema.json",
        ("properties", "request_type"),
        set(),
    ),
    (e.ApprovalStatus, "workflow/approval-request.schema.json", ("properties", "status"), set()),
    (
        e.ApprovalDecisionValue,
        "workflow/approval-decision.schema.json",
        ("properties", "decision"),
        set(),
    ),
    (e.ExceptionStatus, "workflow/exception-record.schema.json", ("properties", "status"), set()),
    # Extras are listed in test_contract_examples.DELIBERATE_DIFFERENCES too.
    (e.JobStatus, "workflow/job-status.schema.json", ("properties", "status"), {"dead_letter"}),
    (e.JobType, "workflow/job-status.schema.json", ("properties", "job_type"), {"scan"}),
    (e.ReportType, "workflow/report-request.schema.json", ("properties", "report_type"), set()),
    (e.ReportFormat, "workflow/report-request.schema.json", ("properties", "format"), set()),
    (e.ReportStatus, "workflow/report-response.schema.json", ("properties", "status"), set()),
]


@pytest.mark.parametrize(
    ("enum", "schema_file", "pointer", "extras"),
    VOCABULARY,
    ids=[v[0].__name__ for v in VOCABULARY],
)
def test_vocabulary_is_the_contracts_plus_listed_extras(
    spec_dir: Path,
    enum: type[StrEnum],
    schema_file: str,
    pointer: tuple[str, ...],
    extras: set[str],
) -> None:
    contract = _defs_enum(spec_dir, schema_file, *pointer)
    ours = {member.value for member in enum}
    assert (contract - ours, ours - contract) == (set(), extras)
