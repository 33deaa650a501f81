"""Governance: approvals, exceptions and promotions.

Approvals and exceptions follow ``approval-request``, ``approval-decision``
and ``exception-record`` of the contract. PeaRL binds an approval to the one
action it allows (``action_digest``) and marks it consumed once used, so an
approval for "change this egress rule" cannot be replayed for another change.
A :class:`Promotion` (PeaRL's own) moves a project from one environment to
the next through a policy gate and a human approval.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Field, model_validator

from pearl_core.domain.base import SCHEMA_VERSION, PearlModel, PearlRecord, UtcDatetime
from pearl_core.domain.common import ProjectId, SchemaVersion, ShortText, TraceId
from pearl_core.domain.enums import (
    ApprovalDecisionValue,
    ApprovalRequestType,
    ApprovalStatus,
    Environment,
    ExceptionStatus,
    PromotionStatus,
)

__all__ = [
    "ApprovalDecision",
    "ApprovalRequest",
    "ExceptionRecord",
    "ExceptionScope",
    "Promotion",
]

ApprovalRequestId = Annotated[
    str, Field(min_length=3, max_length=128, pattern=r"^appr_[A-Za-z0-9_-]+$")
]
PrincipalRef = Annotated[str, Field(min_length=1, max_length=200)]
"""The subject id of a principal (``usr_...``, ``sa_...``, ``user:jsmith``)."""


class ApprovalRequest(PearlModel):
    """A request for a human to allow something an agent may not do alone."""

    PEARL_EXTENSIONS: ClassVar[frozenset[str]] = frozenset(
        {
            "task_packet_id",
            "action_digest",
            "action",
            "bundle_hash",
            "requester_owner_id",
            "decided_at",
            "consumed_at",
        }
    )

    schema_version: SchemaVersion = SCHEMA_VERSION
    approval_request_id: ApprovalRequestId
    project_id: ProjectId
    environment: Environment
    request_type: ApprovalRequestType
    trigger: ShortText
    requested_by: PrincipalRef
    required_roles: list[ShortText] = Field(default_factory=list)
    artifact_refs: list[ShortText] = Field(default_factory=list)
    status: ApprovalStatus = ApprovalStatus.PENDING
    created_at: UtcDatetime
    expires_at: UtcDatetime | None = None
    trace_id: TraceId

    task_packet_id: (
        Annotated[str, Field(min_length=3, max_length=128, pattern=r"^tp_[A-Za-z0-9_-]+$")] | None
    ) = None
    """The packet whose agent asked, when an agent asked."""
    action_digest: Annotated[str, Field(min_length=1, max_length=128)] | None = None
    """Hash of (packet, normalised action, policy bundle hash): the guard rail
    honours the approval only for exactly this action under this bundle."""
    action: dict[str, Any] | None = None
    """The normalised action, for the reviewer to read (untrusted agent input)."""
    bundle_hash: Annotated[str, Field(min_length=1, max_length=128)] | None = None
    requester_owner_id: PrincipalRef | None = None
    """The human who owns the requesting service account: they may not decide it."""
    decided_at: UtcDatetime | None = None
    consumed_at: UtcDatetime | None = None
    """When the approved action was used; a consumed approval allows nothing more."""


class ApprovalDecision(PearlRecord):
    """A human's one decision on a request (never edited; no extensions)."""

    schema_version: SchemaVersion = SCHEMA_VERSION
    approval_request_id: ApprovalRequestId
    decision: ApprovalDecisionValue
    decided_by: PrincipalRef
    decider_role: ShortText
    reason: Annotated[str, Field(max_length=5000)] | None = None
    conditions: list[Annotated[str, Field(min_length=1, max_length=1000)]] = Field(
        default_factory=list
    )
    decided_at: UtcDatetime
    trace_id: TraceId


class ExceptionScope(PearlModel):
    """What an exception waives: an environment, components, controls."""

    environment: Environment | None = None
    components: list[ShortText] = Field(default_factory=list)
    controls: list[ShortText] = Field(default_factory=list)


class ExceptionRecord(PearlModel):
    """A time-bound, approved waiver of controls (no extensions)."""

    schema_version: SchemaVersion = SCHEMA_VERSION
    exception_id: Annotated[
        str, Field(min_length=3, max_length=128, pattern=r"^exc_[A-Za-z0-9_-]+$")
    ]
    project_id: ProjectId
    scope: ExceptionScope | None = None
    requested_by: PrincipalRef
    rationale: Annotated[str, Field(min_length=1, max_length=5000)]
    compensating_controls: list[Annotated[str, Field(min_length=1, max_length=1000)]] = Field(
        default_factory=list
    )
    approved_by: list[PrincipalRef] = Field(default_factory=list)
    status: ExceptionStatus = ExceptionStatus.PENDING
    start_at: UtcDatetime | None = None
    expires_at: UtcDatetime | None = None
    review_cadence_days: Annotated[int, Field(ge=1)] | None = None
    trace_id: TraceId


class Promotion(PearlModel):
    """Moving a project from one environment to the next (PeaRL's own entity)."""

    promotion_id: Annotated[
        str, Field(min_length=3, max_length=128, pattern=r"^prom_[A-Za-z0-9_-]+$")
    ]
    project_id: ProjectId
    from_environment: Environment
    to_environment: Environment
    status: PromotionStatus = PromotionStatus.REQUESTED
    requested_by: PrincipalRef
    created_at: UtcDatetime
    updated_at: UtcDatetime
    gate_decision_id: Annotated[str, Field(min_length=1, max_length=128)] | None = None
    """The decision-log record of the gate evaluation."""
    approval_request_id: ApprovalRequestId | None = None
    trace_id: TraceId

    @model_validator(mode="after")
    def _moves_somewhere(self) -> Promotion:
        if self.from_environment == self.to_environment:
            raise ValueError("a promotion must change the environment")
        return self
