"""Remediation specs and task packets.

A :class:`RemediationSpec` (``remediation-spec.schema.json``) says *what* must
be true after a fix and whether an agent may do it alone. A
:class:`TaskPacket` (``task-packet.schema.json``) is the bounded work order an
agent claims to do it. The contract's packet is a static document; PeaRL
makes it enforceable: it is leased to one agent at a time, expires, limits
the paths and commands an agent may touch, counts denied attempts, and can be
signed so the agent can check it came from PeaRL unaltered.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator

from pearl_core.canonical import canonical_json
from pearl_core.domain.base import SCHEMA_VERSION, PearlModel, UtcDatetime
from pearl_core.domain.common import (
    Integrity,
    ProjectId,
    Reference,
    SchemaVersion,
    ShortText,
    TraceId,
)
from pearl_core.domain.enums import (
    Confidence,
    Eligibility,
    Environment,
    RiskLevel,
    TaskPacketStatus,
    TaskType,
)

__all__ = [
    "ChangedFile",
    "ContextBudget",
    "Lease",
    "OutcomeReport",
    "OutcomeStatus",
    "RemediationSpec",
    "RiskSummary",
    "TaskPacket",
    "TestResult",
    "Violation",
]

RemediationSpecId = Annotated[
    str, Field(min_length=3, max_length=128, pattern=r"^rs_[A-Za-z0-9_-]+$")
]


class RiskSummary(PearlModel):
    risk_level: RiskLevel
    business_impact: RiskLevel | None = None
    confidence: Confidence


class RemediationSpec(PearlModel):
    """What a fix of some findings must achieve, and who may carry it out (no extensions)."""

    schema_version: SchemaVersion = SCHEMA_VERSION
    remediation_spec_id: RemediationSpecId
    project_id: ProjectId
    environment: Environment
    finding_refs: list[ShortText]
    risk_summary: RiskSummary
    eligibility: Eligibility
    required_outcome: Annotated[str, Field(min_length=1, max_length=5000)]
    implementation_constraints: list[str] = Field(default_factory=list)
    required_tests: list[ShortText] = Field(default_factory=list)
    evidence_required: list[ShortText] = Field(default_factory=list)
    approval_required: bool | None = None
    approval_triggers: list[ShortText] = Field(default_factory=list)
    trace_id: TraceId
    generated_at: UtcDatetime
    integrity: Integrity | None = None
    references: list[Reference] = Field(default_factory=list)


class ContextBudget(PearlModel):
    """A hint how much context the agent should load for the task."""

    max_tokens_hint: Annotated[int, Field(ge=256)] | None = None
    deep_fetch_required: bool | None = None


class Lease(PearlModel):
    """Who holds a claimed packet, until when. Heartbeats extend ``expires_at``."""

    holder_id: Annotated[str, Field(min_length=1, max_length=200)]
    """The principal (usually a service account) that claimed the packet."""
    claimed_at: UtcDatetime
    expires_at: UtcDatetime
    heartbeat_at: UtcDatetime | None = None

    @model_validator(mode="after")
    def _expires_after_claim(self) -> Lease:
        if self.expires_at <= self.claimed_at:
            raise ValueError("a lease must expire after it was claimed")
        return self


Sha256 = Annotated[str, Field(pattern=r"^(sha256:)?[0-9a-f]{64}$")]
OutcomeStatus = Literal["fixed", "partial", "failed", "not_reproducible"]


class Violation(PearlModel):
    """One guard-rail denial while the packet was claimed (the decision log has the rest)."""

    decision_id: Annotated[str, Field(min_length=1, max_length=128)]
    at: UtcDatetime
    principal_id: Annotated[str, Field(min_length=1, max_length=200)]
    action_type: Annotated[str, Field(min_length=1, max_length=100)]
    rule_ids: list[ShortText] = Field(default_factory=list)


class ChangedFile(PearlModel):
    path: Annotated[str, Field(min_length=1, max_length=4096)]
    sha256: Sha256
    """The file's content hash after the change (``sha256:`` prefix optional)."""


class TestResult(PearlModel):
    __test__: ClassVar[bool] = False  # not a pytest class

    name: ShortText
    """A test the packet requires (one of its ``required_tests``) or any other run."""
    status: Literal["passed", "failed", "skipped", "error"]
    output_digest: Sha256 | None = None


class OutcomeReport(PearlModel):
    """What the agent says it did, with the evidence; verification is a rescan's job."""

    status: OutcomeStatus
    reported_by: Annotated[str, Field(min_length=1, max_length=200)]
    reported_at: UtcDatetime
    summary: Annotated[str, Field(max_length=5000)] | None = None
    changed_files: list[ChangedFile] = Field(default_factory=list)
    commit_sha: Annotated[str, Field(pattern=r"^[0-9a-f]{7,64}$")] | None = None
    test_results: list[TestResult] = Field(default_factory=list)
    tool_output_digests: dict[ShortText, Sha256] = Field(default_factory=dict)
    """Tool name → digest of its output (scanner runs, linters)."""


class TaskPacket(PearlModel):
    """The bounded work order an agent claims over MCP."""

    PEARL_EXTENSIONS: ClassVar[frozenset[str]] = frozenset(
        {
            "status",
            "remediation_spec_id",
            "finding_refs",
            "allowed_paths",
            "allowed_commands",
            "expires_at",
            "lease",
            "denied_attempts",
            "integrity",
            "allowed_packages",
            "verification_tools",
            "violations",
            "outcome",
            "compiled_package_id",
        }
    )

    schema_version: SchemaVersion = SCHEMA_VERSION
    task_packet_id: Annotated[
        str, Field(min_length=3, max_length=128, pattern=r"^tp_[A-Za-z0-9_-]+$")
    ]
    project_id: ProjectId
    environment: Environment
    task_type: TaskType
    task_summary: Annotated[str, Field(min_length=1, max_length=3000)]
    affected_components: list[ShortText] = Field(default_factory=list)
    relevant_controls: list[ShortText] = Field(default_factory=list)
    relevant_rai_requirements: list[ShortText] = Field(default_factory=list)
    allowed_actions: list[ShortText]
    blocked_actions: list[ShortText]
    required_tests: list[ShortText] = Field(default_factory=list)
    approval_triggers: list[ShortText] = Field(default_factory=list)
    evidence_required: list[ShortText] = Field(default_factory=list)
    reassessment_triggers: list[ShortText] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    trace_id: TraceId
    generated_at: UtcDatetime
    context_budget: ContextBudget | None = None

    status: TaskPacketStatus = TaskPacketStatus.AVAILABLE
    remediation_spec_id: RemediationSpecId | None = None
    finding_refs: list[ShortText] = Field(default_factory=list)
    """The findings this packet fixes; verification rescans exactly these."""
    allowed_paths: list[Annotated[str, Field(min_length=1, max_length=1000)]] = Field(
        default_factory=list
    )
    """Repository-relative globs the agent may write; empty means none."""
    allowed_commands: list[Annotated[str, Field(min_length=1, max_length=1000)]] = Field(
        default_factory=list
    )
    """Commands (argv prefixes, space separated) the agent may run; empty means none."""
    expires_at: UtcDatetime | None = None
    """After this the packet cannot be claimed or worked on, leased or not."""
    lease: Lease | None = None
    allowed_packages: list[ShortText] = Field(default_factory=list)
    """Packages a dependency change may touch (SCA fixes); empty means none."""
    verification_tools: list[ShortText] = Field(default_factory=list)
    """Scanners whose next full scan verifies the fix (the tools that found it)."""
    compiled_package_id: Annotated[str, Field(min_length=3, max_length=128)] | None = None
    """The compiled context package the packet was cut from."""
    denied_attempts: Annotated[int, Field(ge=0)] = 0
    """Guard-rail denials while claimed; policy may revoke the lease past a limit."""
    violations: list[Violation] = Field(default_factory=list)
    """The most recent guard-rail denials (newest last, bounded)."""
    outcome: OutcomeReport | None = None
    """The agent's last report; verification reads the findings, not this."""
    integrity: Integrity | None = None
    """Hash and signature over :meth:`signing_body`."""

    #: Fields that change while the packet is worked on, so signing leaves them out.
    MUTABLE_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"status", "lease", "denied_attempts", "violations", "outcome", "integrity"}
    )

    def signing_body(self) -> bytes:
        """Canonical JSON of the packet without :attr:`MUTABLE_FIELDS`: what is
        hashed and signed, so claiming, heartbeats and reports never invalidate it."""
        return canonical_json(self.model_dump(mode="json", exclude=set(self.MUTABLE_FIELDS)))
