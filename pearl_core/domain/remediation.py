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

from typing import Annotated, ClassVar

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

__all__ = ["ContextBudget", "Lease", "RemediationSpec", "RiskSummary", "TaskPacket"]

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
    denied_attempts: Annotated[int, Field(ge=0)] = 0
    """Guard-rail denials while claimed; policy may revoke the lease past a limit."""
    integrity: Integrity | None = None
    """Hash and signature over :meth:`signing_body`."""

    #: Fields that change while the packet is worked on, so signing leaves them out.
    MUTABLE_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"status", "lease", "denied_attempts", "integrity"}
    )

    def signing_body(self) -> bytes:
        """Canonical JSON of the packet without :attr:`MUTABLE_FIELDS`: what is
        hashed and signed, so claiming and heartbeats never invalidate it."""
        return canonical_json(self.model_dump(mode="json", exclude=set(self.MUTABLE_FIELDS)))
