"""What the packet, guard-rail and approval tools return: their output schemas.

These are the MCP surface, not the domain: each model lists the fields an
agent needs, is lenient about input (it is built from PeaRL's own dumped
objects) and strict about nothing else. Changing one changes the tool surface
hash (``tests/mcp/test_tool_surface.py``) on purpose.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pearl_core import (
    ApprovalRequest,
    ApprovalStatus,
    ApprovalView,
    Environment,
    GuardResult,
    TaskPacket,
    TaskPacketStatus,
)

__all__ = [
    "ApprovalDecisionOut",
    "ApprovalOut",
    "ApprovalRequestOut",
    "GuardResultOut",
    "LeaseOut",
    "NextTaskPacketOut",
    "Out",
    "ReasonOut",
    "TaskPacketList",
    "TaskPacketOut",
    "TaskPacketSummary",
]


class Out(BaseModel):
    """Base of every tool output: extra fields of the source object are dropped."""

    model_config = ConfigDict(extra="ignore", use_attribute_docstrings=True)


class ReasonOut(Out):
    """Why a policy decided as it did (the rule's words and its METADATA)."""

    rule_id: str
    code: str | None = None
    message: str
    title: str | None = None
    hint: str | None = None
    """What to do about it."""
    severity: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)


class LeaseOut(Out):
    holder_id: str
    claimed_at: datetime
    expires_at: datetime
    """Send pearl_heartbeat before this, or the packet returns to the pool."""
    heartbeat_at: datetime | None = None


class TaskPacketOut(Out):
    """A task packet: the bounded work order, its scope and its state."""

    task_packet_id: str
    project_id: str
    environment: Environment
    status: TaskPacketStatus
    task_type: str
    task_summary: str
    finding_refs: list[str]
    """The findings this packet fixes (read them with pearl_get_finding)."""
    affected_components: list[str]
    relevant_controls: list[str]
    allowed_actions: list[str]
    blocked_actions: list[str]
    allowed_paths: list[str]
    """Repository-relative globs you may write; nothing else."""
    allowed_commands: list[str]
    """Command prefixes you may run; nothing else."""
    allowed_packages: list[str]
    required_tests: list[str]
    """Run each and report its result (``rescan:`` entries are PeaRL's to run)."""
    evidence_required: list[str]
    """What pearl_report_outcome must include."""
    approval_triggers: list[str]
    verification_tools: list[str]
    expires_at: datetime | None = None
    lease: LeaseOut | None = None
    denied_attempts: int
    compiled_package_id: str | None = None
    remediation_spec_id: str | None = None
    integrity: dict[str, Any] | None = None
    """Hash and signature over the packet's fixed fields, to check it came from PeaRL."""

    @classmethod
    def of(cls, packet: TaskPacket) -> TaskPacketOut:
        return cls.model_validate(packet.model_dump(mode="json"))


class TaskPacketSummary(Out):
    task_packet_id: str
    project_id: str
    environment: Environment
    status: TaskPacketStatus
    task_summary: str
    finding_count: int
    lease_holder: str | None = None
    expires_at: datetime | None = None

    @classmethod
    def of(cls, packet: TaskPacket) -> TaskPacketSummary:
        return cls(
            task_packet_id=packet.task_packet_id,
            project_id=packet.project_id,
            environment=packet.environment,
            status=packet.status,
            task_summary=packet.task_summary,
            finding_count=len(packet.finding_refs),
            lease_holder=None if packet.lease is None else packet.lease.holder_id,
            expires_at=packet.expires_at,
        )


class TaskPacketList(Out):
    task_packets: list[TaskPacketSummary]
    count: int


class NextTaskPacketOut(Out):
    """The packet claimed for you, or ``claimed: false`` when there is no work."""

    claimed: bool
    task_packet: TaskPacketOut | None = None
    message: str


class GuardResultOut(Out):
    """The guard rails' answer for one action: act only on ``allow``."""

    decision: Literal["allow", "deny", "needs_approval"]
    decision_id: str
    reasons: list[ReasonOut]
    approval_triggers: list[str]
    action_digest: str
    """What an approval for this exact action binds to."""
    task_packet_id: str
    denied_attempts: int
    lease_revoked: bool
    """True when this denial took the packet away from you."""
    approval_request_id: str | None = None
    """The approval this ``allow`` used up (approvals allow an action once)."""
    next_step: str

    @classmethod
    def of(cls, result: GuardResult, next_step: str) -> GuardResultOut:
        return cls.model_validate({**result.to_dict(), "next_step": next_step})


class ApprovalRequestOut(Out):
    """A request for a human reviewer to allow one exact action."""

    approval_request_id: str
    status: ApprovalStatus
    project_id: str
    environment: Environment
    task_packet_id: str | None = None
    request_type: str
    trigger: str
    requested_by: str
    action_digest: str | None = None
    action: dict[str, Any] | None = None
    created_at: datetime
    expires_at: datetime | None = None
    decided_at: datetime | None = None
    consumed_at: datetime | None = None

    @classmethod
    def of(cls, request: ApprovalRequest) -> ApprovalRequestOut:
        return cls.model_validate(request.model_dump(mode="json"))


class ApprovalDecisionOut(Out):
    decision: Literal["approve", "reject"]
    decided_by: str
    decider_role: str
    reason: str | None = None
    decided_at: datetime


class ApprovalOut(Out):
    """An approval request and, once a human decided it, the decision."""

    request: ApprovalRequestOut
    decision: ApprovalDecisionOut | None = None
    next_step: str

    @classmethod
    def of(cls, view: ApprovalView, next_step: str) -> ApprovalOut:
        decision = view.decision
        return cls(
            request=ApprovalRequestOut.of(view.request),
            decision=None
            if decision is None
            else ApprovalDecisionOut.model_validate(decision.model_dump(mode="json")),
            next_step=next_step,
        )
