"""``POST /findings/ingest``: a contract findings batch, ingested as a SARIF report.

The contract sends findings a connector has already normalised
(``findings-ingest-request.schema.json``). PeaRL ingests every finding through
one pipeline (sanitising, fingerprinting, dedup, lifecycle, audit), which reads
scanner reports; this module writes the batch as the SARIF 2.1.0 log that
says the same thing, and the route hands its bytes to
:func:`pearl_core.ingest_report` with ``format="sarif"`` and scope
``partial`` (a connector's batch is not a full scan: findings it leaves out
are not resolved). One run per ``source.tool_name``; per finding:

=========================  =====================================================
contract                   SARIF
=========================  =====================================================
``finding_id``             ``fingerprints["pearlFindingId/v1"]``: the tool's
                           stable id, so a re-sent finding is the same finding
``title``, ``description``  ``message.text`` (first line is the title)
``severity``               ``properties.severity`` (same four labels)
``confidence``             ``properties.confidence``
``control_refs``           ``ruleId`` (the first; else ``category``) and
                           ``properties.tags`` (CWE ids in them are kept)
``source_batch.connector_version``  ``tool.driver.version``
=========================  =====================================================

What SARIF cannot carry is not stored: ``affected_components``,
``exploitability``, ``source.tool_type`` (PeaRL infers a tool type from the
tool name), ``trust_label``, ``detected_at`` (PeaRL records when it saw the
finding) and the caller's ``finding_id`` as the id (PeaRL issues its own;
read them back with ``GET /findings``). Every finding of a batch must belong
to one project environment (one ingest is one transaction); a batch that
mixes them is refused.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from pearl_core import Environment, RiskLevel, ValidationFailed

__all__ = ["FindingsIngestBody", "target_of", "to_sarif"]

TrustLabel = Literal[
    "trusted_internal", "trusted_external_registered", "untrusted_external", "manual_unverified"
]
ToolTypeName = Literal[
    "sast",
    "dast",
    "sca",
    "cspm",
    "cnapp",
    "ciem",
    "api_security",
    "runtime",
    "governance",
    "threat_model",
    "rai_monitor",
    "manual",
]
Label = Annotated[str, Field(min_length=1, max_length=500)]
SchemaVersion = Annotated[str, Field(pattern=r"^\d+\.\d+(\.\d+)?$", max_length=32)]


class _Wire(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class FindingSourceBody(_Wire):
    tool_name: Annotated[str, Field(min_length=1, max_length=200)]
    tool_type: ToolTypeName
    trust_label: TrustLabel
    connector_id: Label | None = None
    raw_record_ref: Annotated[str, Field(max_length=1000)] | None = None


class TraceabilityBody(_Wire):
    trace_id: Annotated[str, Field(min_length=8, max_length=128)]
    source_refs: list[Label] = Field(default_factory=list, max_length=100)


class FindingBody(_Wire):
    """One ``finding.schema.json`` finding."""

    schema_version: SchemaVersion
    finding_id: Annotated[str, Field(pattern=r"^find_[A-Za-z0-9_-]+$", max_length=128)]
    source: FindingSourceBody
    project_id: Annotated[str, Field(pattern=r"^proj_[A-Za-z0-9_-]+$", max_length=128)]
    environment: Environment
    category: Literal["security", "responsible_ai", "governance", "architecture_drift"]
    severity: RiskLevel
    title: Annotated[str, Field(min_length=1, max_length=1000)]
    detected_at: AwareDatetime
    confidence: Literal["low", "medium", "high"] | None = None
    description: Annotated[str, Field(max_length=20_000)] | None = None
    affected_components: list[Label] = Field(default_factory=list, max_length=100)
    control_refs: list[Label] = Field(default_factory=list, max_length=100)
    exploitability: Literal["unknown", "low", "medium", "high"] | None = None
    normalized: bool | None = None
    traceability: TraceabilityBody | None = None


class SourceBatch(_Wire):
    batch_id: Annotated[str, Field(min_length=1, max_length=200)]
    source_system: Annotated[str, Field(min_length=1, max_length=200)]
    received_at: AwareDatetime
    trust_label: TrustLabel
    connector_version: Annotated[str, Field(max_length=100)] | None = None


class IngestOptions(_Wire):
    """Accepted as the contract has them. PeaRL always normalises, refuses an
    invalid batch as a whole, and quarantines a record its pipeline cannot read."""

    normalize_on_ingest: bool | None = None
    strict_validation: bool | None = None
    quarantine_on_error: bool | None = None


class FindingsIngestBody(_Wire):
    """``findings-ingest-request.schema.json``."""

    schema_version: SchemaVersion
    source_batch: SourceBatch
    findings: Annotated[list[FindingBody], Field(min_length=1)]
    options: IngestOptions | None = None


def target_of(batch: FindingsIngestBody) -> tuple[str, Environment]:
    """The one project environment of the batch; ``validation_failed`` if it names several."""
    targets = sorted({(f.project_id, f.environment.value) for f in batch.findings})
    if len(targets) != 1:
        raise ValidationFailed(
            "a findings batch must belong to one project environment; send one batch per "
            "project environment",
            field="findings",
            targets=[f"{project}/{environment}" for project, environment in targets[:20]],
        )
    project_id, environment = targets[0]
    return project_id, Environment(environment)


def _result(finding: FindingBody) -> dict[str, Any]:
    text = finding.title if not finding.description else f"{finding.title}\n{finding.description}"
    properties: dict[str, Any] = {"severity": finding.severity.value}
    if finding.confidence is not None:
        properties["confidence"] = finding.confidence
    if finding.control_refs:
        properties["tags"] = list(finding.control_refs)
    return {
        "ruleId": finding.control_refs[0] if finding.control_refs else finding.category,
        "message": {"text": text},
        "fingerprints": {"pearlFindingId/v1": finding.finding_id},
        "properties": properties,
    }


def to_sarif(batch: FindingsIngestBody) -> bytes:
    """The batch as a SARIF 2.1.0 log (see the module docstring)."""
    runs: dict[str, list[dict[str, Any]]] = {}
    for finding in batch.findings:
        runs.setdefault(finding.source.tool_name, []).append(_result(finding))
    driver_version = batch.source_batch.connector_version
    log = {
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [
            {
                "tool": {"driver": _driver(tool, driver_version)},
                "results": results,
            }
            for tool, results in runs.items()
        ],
    }
    return json.dumps(log, ensure_ascii=False).encode("utf-8")


def _driver(name: str, version: str | None) -> dict[str, Any]:
    return {"name": name} if version is None else {"name": name, "version": version}
