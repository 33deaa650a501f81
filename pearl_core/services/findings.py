"""Findings: read them, and move one through its lifecycle.

Status changes follow :data:`~pearl_core.domain.lifecycle.FINDING_LIFECYCLE`
with the acting principal: humans triage and dispose (accepted risk, false
positive and not affected need a reviewer and a reason), agents only start
work and submit fixes. Every change is audited as ``finding.status_changed``.
"""

from __future__ import annotations

from collections.abc import Sequence

from pearl_core.authz import Permission, authorize
from pearl_core.clock import Clock
from pearl_core.domain.enums import Environment, FindingStatus, RiskLevel
from pearl_core.domain.findings import Finding
from pearl_core.domain.lifecycle import FINDING_LIFECYCLE
from pearl_core.ports import UnitOfWork
from pearl_core.validation import parse

__all__ = ["change_finding_status", "get_finding", "list_findings"]


async def list_findings(
    uow: UnitOfWork,
    *,
    project_id: str | None = None,
    environment: Environment | None = None,
    statuses: Sequence[FindingStatus] | None = None,
    severities: Sequence[RiskLevel] | None = None,
    tool_name: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Finding]:
    """Findings matching every given filter (``None``: any), oldest first."""
    authorize(uow.principal, Permission.FINDINGS_READ)
    async with uow.reading():
        return await uow.findings.list(
            project_id=project_id,
            environment=environment,
            statuses=statuses,
            severities=severities,
            tool_name=tool_name,
            limit=limit,
            offset=offset,
        )


async def get_finding(uow: UnitOfWork, finding_id: str) -> Finding:
    """The finding; ``not_found`` if it is not one of the principal's org."""
    authorize(uow.principal, Permission.FINDINGS_READ)
    async with uow.reading():
        return await uow.findings.get(finding_id)


async def change_finding_status(
    uow: UnitOfWork,
    finding_id: str,
    target: FindingStatus,
    *,
    reason: str | None,
    clock: Clock,
) -> Finding:
    """Move a finding to ``target`` as the acting principal.

    ``invalid_transition`` when the lifecycle has no such move,
    ``human_required`` / ``forbidden`` when the principal may not make it,
    ``reason_required`` when it needs a reason and got none.
    """
    authorize(uow.principal, Permission.FINDINGS_TRIAGE)
    async with uow:
        finding = await uow.findings.get(finding_id)
        FINDING_LIFECYCLE.check(finding.status, target, uow.principal, reason=reason)
        changed = parse(
            Finding,
            {
                **finding.model_dump(),
                "status": target,
                "status_reason": reason,
                "updated_at": clock.now(),
            },
        )
        await uow.findings.update(changed)
        await uow.audit.record(
            "finding.status_changed",
            resource_type="finding",
            resource_id=finding_id,
            details={"from": finding.status.value, "to": target.value, "reason": reason},
        )
        await uow.commit()
    return changed
