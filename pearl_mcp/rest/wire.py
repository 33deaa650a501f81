"""Request bodies of the contract operations, as PeaRL reads them.

Each model accepts the v1.1 request shape and refuses unknown fields. Fields
the server owns (``requested_by``, ``status``, ``created_at``,
``decided_by``...) are accepted so a v1.1 client's payload is valid, and
**ignored**: the caller is the authenticated principal, times come from the
server clock, and a request never starts approved or active, whatever it
says. The body's ``trace_id`` is ignored too: ``X-Trace-Id`` governs.
Where PeaRL needs more than the contract sends, the model says so.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pearl_core import Environment, ExceptionRequest, NewProject, TaskRequest

__all__ = [
    "ApprovalRequestBody",
    "CompileBody",
    "DecisionBody",
    "ExceptionBody",
    "GenerateTaskPacketBody",
    "ProjectBody",
    "ReleaseBody",
    "RemediationBody",
]

SchemaVersion = Annotated[str, Field(pattern=r"^\d+\.\d+(\.\d+)?$", max_length=32)]
TraceId = Annotated[str, Field(min_length=8, max_length=128)]
Text = Annotated[str, Field(max_length=500)]
Ignored = Annotated[str, Field(max_length=200)]


class _Wire(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class ProjectBody(NewProject):
    """``Project``; ``created_at``, ``updated_at`` and ``traceability`` are the server's."""

    schema_version: SchemaVersion | None = None
    created_at: Ignored | None = None
    updated_at: Ignored | None = None
    traceability: dict[str, Any] | None = None


class CompileOptions(_Wire):
    """Accepted as the contract has them. PeaRL's server writes no files (fetch the
    package instead), always refuses conflicting layers and always applies the
    active exceptions, so these options do not change what it does."""

    write_repo_artifacts: bool | None = None
    output_repo_path: Annotated[str, Field(max_length=1000)] | None = None
    include_human_readable_summary: bool | None = None
    strict_conflict_mode: bool | None = None
    apply_active_exceptions: bool | None = None


class CompileBody(_Wire):
    schema_version: SchemaVersion | None = None
    project_id: Annotated[str, Field(max_length=128)] | None = None
    """If given, must be the path's project."""
    compile_options: CompileOptions = Field(default_factory=CompileOptions)
    artifact_targets: list[Text] = Field(default_factory=list, max_length=50)
    trace_id: TraceId | None = None
    environment: Environment | None = None
    """PeaRL extension: compile this environment only (default: every environment
    with an environment profile)."""


class GenerateTaskPacketBody(TaskRequest):
    schema_version: SchemaVersion | None = None
    trace_id: TraceId | None = None


class RemediationBody(_Wire):
    schema_version: SchemaVersion | None = None
    finding_refs: Annotated[list[Annotated[str, Field(max_length=128)]], Field(min_length=1)]
    environment: Environment
    generation_mode: Literal["deterministic", "best_effort"] | None = None
    """PeaRL is always deterministic (no model calls); both are accepted."""
    trace_id: TraceId | None = None


class ApprovalRequestBody(_Wire):
    """``ApprovalRequest`` plus what PeaRL binds an approval to: the task packet
    and the one action (as for ``check-action``) the guard rails answered
    ``needs_approval`` for. The project, environment, type and trigger follow
    from the packet and the policy."""

    task_packet_id: Annotated[str, Field(pattern=r"^tp_[A-Za-z0-9_-]+$", max_length=128)]
    action: dict[str, Any]
    schema_version: SchemaVersion | None = None
    approval_request_id: Ignored | None = None
    project_id: Ignored | None = None
    environment: Environment | None = None
    request_type: Ignored | None = None
    trigger: Text | None = None
    requested_by: Ignored | None = None
    required_roles: list[Text] = Field(default_factory=list, max_length=50)
    artifact_refs: list[Text] = Field(default_factory=list, max_length=50)
    status: Ignored | None = None
    created_at: Ignored | None = None
    expires_at: Ignored | None = None
    trace_id: TraceId | None = None


class DecisionBody(_Wire):
    """``ApprovalDecision``: the decider is the caller and the time the server's.
    ``conditions`` must be empty: an approval allows one exact action, and PeaRL
    cannot enforce a condition, so it will not pretend to record one."""

    decision: Literal["approve", "reject"]
    reason: Annotated[str, Field(max_length=5000)] | None = None
    conditions: list[Annotated[str, Field(max_length=1000)]] = Field(
        default_factory=list, max_length=0
    )
    schema_version: SchemaVersion | None = None
    approval_request_id: Annotated[str, Field(max_length=128)] | None = None
    """If given, must be the path's request."""
    decided_by: Ignored | None = None
    decider_role: Ignored | None = None
    decided_at: Ignored | None = None
    trace_id: TraceId | None = None


class ExceptionBody(ExceptionRequest):
    """``ExceptionRecord``; it is stored ``pending``, requested by the caller,
    with no approvers, whatever ``status`` and ``approved_by`` say."""

    schema_version: SchemaVersion | None = None
    requested_by: Ignored | None = None
    approved_by: list[Ignored] = Field(default_factory=list, max_length=50)
    status: Ignored | None = None
    trace_id: TraceId | None = None


class ReleaseBody(_Wire):
    reason: Annotated[str, Field(max_length=2000)] | None = None
