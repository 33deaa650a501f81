"""Findings, per ``finding.schema.json``, plus what a lifecycle needs.

The contract describes a finding as one scanner's report at one moment. PeaRL
keeps a finding alive across scans: the ``fingerprint`` says "this is the
same problem as last time" (so rescans update instead of duplicating), the
``status`` tracks it from open to verified-fixed, and locations, CWE/CVE ids
and the affected package let policy and agents act on it precisely.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Final

from pydantic import Field, model_validator

from pearl_core.domain.base import SCHEMA_VERSION, PearlModel, UtcDatetime
from pearl_core.domain.common import ProjectId, SchemaVersion, ShortText, TraceabilityRef
from pearl_core.domain.enums import (
    Confidence,
    Environment,
    Exploitability,
    FindingCategory,
    FindingStatus,
    RiskLevel,
    ToolType,
    TrustLabel,
)

__all__ = [
    "CONTENT_FIELDS",
    "Finding",
    "FindingSource",
    "Location",
    "PackageRef",
    "content_digest",
]

FINDING_ID_PATTERN = r"^find_[A-Za-z0-9_-]+$"

#: What a scanner reports about a finding and a rescan can change. The content
#: digest covers exactly these; status, timestamps, ids and the source do not
#: count (a new tool version reporting the same thing is not a change).
CONTENT_FIELDS: Final = frozenset(
    {
        "severity",
        "title",
        "description",
        "locations",
        "package",
        "cwe_ids",
        "cve_ids",
        "fix_available",
        "rule_id",
        "confidence",
    }
)

_INCLUDE: Final[set[str]] = set(CONTENT_FIELDS)


def content_digest(content: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of a finding's :data:`CONTENT_FIELDS`.

    ``content`` is shaped like ``finding.model_dump(mode="json", include=CONTENT_FIELDS)``.
    Canonical here is sorted keys, no whitespace, UTF-8: byte-identical to
    RFC 8785 for this content (ASCII keys, strings, integers, booleans, null;
    no floats), and several times faster than a general JCS encoder, which
    matters at 100,000 findings per ingest.
    """
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class FindingSource(PearlModel):
    """Which tool reported the finding, and how far PeaRL trusts it."""

    PEARL_EXTENSIONS: ClassVar[frozenset[str]] = frozenset({"tool_version"})

    tool_name: Annotated[str, Field(min_length=1, max_length=200)]
    tool_type: ToolType
    connector_id: str | None = None
    trust_label: TrustLabel
    raw_record_ref: str | None = None
    tool_version: Annotated[str, Field(max_length=100)] | None = None
    """The scanner's version, so a fingerprint change can be traced to an upgrade."""


class Location(PearlModel):
    """Where in the repository the problem is. Lines are 1-based and inclusive."""

    path: Annotated[str, Field(min_length=1, max_length=4096)]
    start_line: Annotated[int, Field(ge=1)] | None = None
    end_line: Annotated[int, Field(ge=1)] | None = None
    start_column: Annotated[int, Field(ge=1)] | None = None
    end_column: Annotated[int, Field(ge=1)] | None = None
    snippet_hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None
    """SHA-256 of the normalised offending snippet: survives line shifts, unlike
    line numbers, and never stores the (possibly secret) snippet itself."""

    @model_validator(mode="after")
    def _lines_in_order(self) -> Location:
        if self.start_line is not None and self.end_line is not None:
            if self.end_line < self.start_line:
                raise ValueError("end_line is before start_line")
        elif self.end_line is not None:
            raise ValueError("end_line needs a start_line")
        return self


class PackageRef(PearlModel):
    """The vulnerable dependency of an SCA or container finding."""

    ecosystem: Annotated[str, Field(min_length=1, max_length=50)]
    """``pypi``, ``npm``, ``maven``, ``debian``..., lower case."""
    name: Annotated[str, Field(min_length=1, max_length=500)]
    version: Annotated[str, Field(min_length=1, max_length=200)]
    fixed_version: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    manifest_path: Annotated[str, Field(min_length=1, max_length=4096)] | None = None
    purl: Annotated[str, Field(pattern=r"^pkg:", max_length=2000)] | None = None


class Finding(PearlModel):
    """A security, responsible-AI or governance problem in one project environment."""

    PEARL_EXTENSIONS: ClassVar[frozenset[str]] = frozenset(
        {
            "rule_id",
            "cwe_ids",
            "cve_ids",
            "locations",
            "package",
            "fix_available",
            "fingerprint",
            "cross_tool_key",
            "status",
            "status_reason",
            "first_seen_at",
            "last_seen_at",
            "updated_at",
        }
    )

    schema_version: SchemaVersion = SCHEMA_VERSION
    finding_id: Annotated[str, Field(min_length=3, max_length=128, pattern=FINDING_ID_PATTERN)]
    source: FindingSource
    project_id: ProjectId
    environment: Environment
    category: FindingCategory
    severity: RiskLevel
    confidence: Confidence | None = None
    title: Annotated[str, Field(min_length=1, max_length=1000)]
    description: Annotated[str, Field(max_length=20_000)] | None = None
    affected_components: list[ShortText] = Field(default_factory=list)
    control_refs: list[ShortText] = Field(default_factory=list)
    exploitability: Exploitability | None = None
    detected_at: UtcDatetime
    normalized: bool | None = None
    traceability: TraceabilityRef | None = None

    rule_id: Annotated[str, Field(min_length=1, max_length=300)] | None = None
    """The scanner's rule or advisory id (``python.lang.security...``, ``GHSA-...``)."""
    cwe_ids: list[Annotated[str, Field(pattern=r"^CWE-\d+$")]] = Field(default_factory=list)
    cve_ids: list[Annotated[str, Field(pattern=r"^CVE-\d{4}-\d{4,}$")]] = Field(
        default_factory=list
    )
    """CVE ids only; other advisory ids (GHSA, PYSEC, OSV) go in ``rule_id``."""
    locations: list[Location] = Field(default_factory=list)
    package: PackageRef | None = None
    fix_available: bool | None = None
    fingerprint: Annotated[str, Field(min_length=1, max_length=200)]
    """Stable identity across scans within a project environment: the dedup key."""
    cross_tool_key: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    """Identity across tools: the same CVE in the same package and manifest,
    reported by two scanners (Trivy and Grype, say), is one finding."""
    status: FindingStatus = FindingStatus.OPEN
    status_reason: Annotated[str, Field(max_length=2000)] | None = None
    """Why the status last changed (required by policy for accepted risk etc.)."""
    first_seen_at: UtcDatetime | None = None
    last_seen_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None

    def content_digest(self) -> str:
        """The digest of what the scanner reported (see :func:`content_digest`).

        Equal digests mean a rescan reported nothing new: the ingest service
        leaves such a finding untouched.
        """
        return content_digest(self.model_dump(mode="json", include=_INCLUDE))
