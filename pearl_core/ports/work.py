"""Remediation and governance ports: remediation specs and the task packets
agents work from, approvals, exceptions and promotions, background jobs,
reports, and the decision log of every policy evaluation.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Protocol

from pearl_core.domain.decisions import DecisionRecord
from pearl_core.domain.enums import (
    ApprovalStatus,
    ExceptionStatus,
    JobStatus,
    PromotionStatus,
    TaskPacketStatus,
)
from pearl_core.domain.governance import (
    ApprovalDecision,
    ApprovalRequest,
    ExceptionRecord,
    Promotion,
)
from pearl_core.domain.jobs import Job
from pearl_core.domain.remediation import RemediationSpec, TaskPacket
from pearl_core.domain.reports import Report

__all__ = [
    "ApprovalRepository",
    "DecisionLogRepository",
    "ExceptionRepository",
    "JobRepository",
    "PromotionRepository",
    "RemediationSpecRepository",
    "ReportRepository",
    "TaskPacketRepository",
]


class RemediationSpecRepository(Protocol):
    async def add(self, spec: RemediationSpec) -> None: ...
    async def add_many(self, specs: Sequence[RemediationSpec]) -> None:
        """Store new specs in one batch, all or none (``already_exists`` if any id is taken)."""
        ...

    async def get(self, remediation_spec_id: str) -> RemediationSpec: ...
    async def list(self, *, project_id: str | None = None) -> builtins.list[RemediationSpec]: ...


class TaskPacketRepository(Protocol):
    async def add(self, packet: TaskPacket) -> None: ...
    async def add_many(self, packets: Sequence[TaskPacket]) -> None:
        """Store new packets in one batch, all or none."""
        ...

    async def get(self, task_packet_id: str) -> TaskPacket: ...
    async def list(
        self,
        *,
        project_id: str | None = None,
        statuses: Sequence[TaskPacketStatus] | None = None,
    ) -> builtins.list[TaskPacket]: ...
    async def update(self, packet: TaskPacket, *, expected: TaskPacket | None = None) -> None:
        """Store ``packet``. With ``expected`` (the version read in this unit of
        work), only if the stored packet is still that: otherwise ``Conflict``,
        so of two concurrent claims or consumptions exactly one wins."""
        ...


class ApprovalRepository(Protocol):
    async def add(self, request: ApprovalRequest) -> None: ...
    async def get(self, approval_request_id: str) -> ApprovalRequest: ...
    async def list(
        self, *, statuses: Sequence[ApprovalStatus] | None = None
    ) -> builtins.list[ApprovalRequest]: ...
    async def update(
        self, request: ApprovalRequest, *, expected: ApprovalRequest | None = None
    ) -> None:
        """Store ``request``; with ``expected``, compare-and-set (see packets)."""
        ...

    async def record_decision(self, decision: ApprovalDecision) -> None:
        """Store the one decision of a request; a second one is a ``Conflict``."""
        ...

    async def decision_for(self, approval_request_id: str) -> ApprovalDecision | None: ...


class ExceptionRepository(Protocol):
    async def add(self, record: ExceptionRecord) -> None: ...
    async def get(self, exception_id: str) -> ExceptionRecord: ...
    async def list(
        self,
        *,
        project_id: str | None = None,
        statuses: Sequence[ExceptionStatus] | None = None,
    ) -> builtins.list[ExceptionRecord]: ...
    async def update(self, record: ExceptionRecord) -> None: ...


class PromotionRepository(Protocol):
    async def add(self, promotion: Promotion) -> None: ...
    async def get(self, promotion_id: str) -> Promotion: ...
    async def list(
        self,
        *,
        project_id: str | None = None,
        statuses: Sequence[PromotionStatus] | None = None,
    ) -> builtins.list[Promotion]: ...
    async def update(self, promotion: Promotion) -> None: ...


class JobRepository(Protocol):
    async def add(self, job: Job) -> None: ...
    async def get(self, job_id: str) -> Job: ...
    async def list(self, *, statuses: Sequence[JobStatus] | None = None) -> builtins.list[Job]: ...
    async def update(self, job: Job) -> None: ...


class ReportRepository(Protocol):
    async def add(self, report: Report) -> None: ...
    async def get(self, report_id: str) -> Report: ...
    async def list(self, *, project_id: str | None = None) -> builtins.list[Report]: ...


class DecisionLogRepository(Protocol):
    """The decision log: one immutable record per policy evaluation.

    Writing a record is not a state change of a governed object and needs no
    audit event (the record is itself the evidence): a unit of work that only
    logged decisions commits without one. It still commits or rolls back with
    the unit of work, so a decision logged beside a state change shares its fate.
    """

    async def add(self, record: DecisionRecord) -> None:
        """Store a record of the principal's org; ``AlreadyExists`` if its id is taken,
        ``Forbidden`` if it names another org."""
        ...

    async def add_many(self, records: Sequence[DecisionRecord]) -> None:
        """Log many records in one batch, all or none."""
        ...

    async def get(self, decision_id: str) -> DecisionRecord:
        """The record; ``NotFound`` if absent in this org."""
        ...

    def since(
        self,
        since: datetime,
        *,
        entrypoint: str | None = None,
        after_id: str | None = None,
        limit: int | None = None,
        batch_size: int = 500,
    ) -> AsyncIterator[DecisionRecord]:
        """Records decided at or after ``since`` (of one ``entrypoint``, if given), in
        ``(decided_at, decision_id)`` order, streamed in batches of ``batch_size``,
        at most ``limit`` of them.

        ``after_id`` resumes a walk: with ``since`` set to the last record's
        ``decided_at`` and ``after_id`` to its id, only records after it come.
        """
        ...
