"""Reports: a point-in-time governance summary of one project, stored and audited.

:func:`generate_report` reads the project's open findings (counted per
severity), pending approval requests and pending or active exceptions,
optionally for one environment (``filters={"environment": "preprod"}``, the
only filter there is; any other is ``validation_failed``), and stores the
result as a :class:`~pearl_core.domain.reports.Report`, audited as
``report.generated``. Every report type carries this summary today;
``blockers`` (open critical or high findings, pending approvals) decide
``ready``. A ``markdown`` report holds the same facts as text.

Reports are built synchronously (``status`` is ``ready``). Under an
idempotency key the report id is derived from the key, so a retry returns
the stored report; another type, format or project under the same key is
``conflict``. Building a report reads, and judges, nothing else: no policy
is evaluated.
"""

from __future__ import annotations

from typing import Any

from pearl_core.authz import Permission, authorize
from pearl_core.clock import Clock
from pearl_core.domain.enums import (
    ApprovalStatus,
    Environment,
    ExceptionStatus,
    ReportFormat,
    ReportStatus,
    RiskLevel,
)
from pearl_core.domain.lifecycle import OPEN_FINDING_STATUSES
from pearl_core.domain.reports import Report, ReportRequest
from pearl_core.errors import AlreadyExists, IdempotencyConflict, ValidationFailed
from pearl_core.ports import UnitOfWork
from pearl_core.services._idempotency import record_id
from pearl_core.trace import current_trace_id

__all__ = ["generate_report", "get_report"]

_FILTERS = frozenset({"environment"})
_BLOCKING = (RiskLevel.CRITICAL, RiskLevel.HIGH)


async def generate_report(
    uow: UnitOfWork,
    project_id: str,
    request: ReportRequest,
    *,
    clock: Clock,
    idempotency_key: str | None = None,
) -> Report:
    """Build and store the report (see the module docstring)."""
    authorize(uow.principal, Permission.AUDIT_READ)
    environment = _environment(request.filters)
    async with uow:
        await uow.projects.get(project_id)
        content = await _content(uow, project_id, environment, request)
        report = Report(
            report_id=record_id("rpt", uow.principal.org_id, idempotency_key),
            report_type=request.report_type,
            status=ReportStatus.READY,
            format=request.format,
            content=content if request.format is ReportFormat.JSON else _markdown(content),
            trace_id=current_trace_id(),
            generated_at=clock.now(),
            project_id=project_id,
        )
        try:
            await uow.reports.add(report)
        except AlreadyExists:
            if idempotency_key is None:
                raise
            return await _replay(uow, report, idempotency_key)
        await uow.audit.record(
            "report.generated",
            resource_type="report",
            resource_id=report.report_id,
            details={
                "project_id": project_id,
                "report_type": report.report_type.value,
                "format": report.format.value,
                "ready": content["summary"]["ready"],
            },
        )
        await uow.commit()
    return report


async def get_report(uow: UnitOfWork, report_id: str) -> Report:
    authorize(uow.principal, Permission.AUDIT_READ)
    async with uow.reading():
        return await uow.reports.get(report_id)


def _environment(filters: dict[str, Any]) -> Environment | None:
    unknown = sorted(set(filters) - _FILTERS)
    if unknown:
        raise ValidationFailed(
            f"unknown report filter(s): {', '.join(unknown)}",
            field="filters",
            known=sorted(_FILTERS),
        )
    value = filters.get("environment")
    if value is None:
        return None
    if value not in {e.value for e in Environment}:
        raise ValidationFailed("filters.environment is not an environment", field="filters")
    return Environment(value)


async def _content(
    uow: UnitOfWork, project_id: str, environment: Environment | None, request: ReportRequest
) -> dict[str, Any]:
    open_statuses = sorted(OPEN_FINDING_STATUSES)
    by_severity = {
        level.value: await uow.findings.count(
            project_id=project_id,
            environment=environment,
            statuses=open_statuses,
            severities=[level],
        )
        for level in (RiskLevel.CRITICAL, RiskLevel.HIGH, RiskLevel.MODERATE, RiskLevel.LOW)
    }
    approvals = [
        a.approval_request_id
        for a in await uow.approvals.list(statuses=[ApprovalStatus.PENDING])
        if a.project_id == project_id and environment in (None, a.environment)
    ]
    exceptions = await uow.exceptions.list(
        project_id=project_id, statuses=[ExceptionStatus.PENDING, ExceptionStatus.ACTIVE]
    )
    blockers = [
        f"{by_severity[level.value]} open {level.value} finding(s)"
        for level in _BLOCKING
        if by_severity[level.value]
    ] + [f"Open approval request: {approval}" for approval in approvals]
    summary: dict[str, Any] = {
        "project_id": project_id,
        "report_type": request.report_type.value,
        "ready": not blockers,
    }
    if environment is not None:
        summary["environment"] = environment.value
    content: dict[str, Any] = {
        "summary": summary,
        "findings": {"open": sum(by_severity.values()), "open_by_severity": by_severity},
        "approvals": {"pending": approvals},
        "exceptions": {
            status.value: [e.exception_id for e in exceptions if e.status is status]
            for status in (ExceptionStatus.PENDING, ExceptionStatus.ACTIVE)
        },
        "blockers": blockers,
    }
    if request.include_references:
        content["references"] = [{"ref_id": a, "kind": "approval"} for a in approvals] + [
            {"ref_id": e.exception_id, "kind": "exception"} for e in exceptions
        ]
    return content


def _markdown(content: dict[str, Any]) -> str:
    summary, findings = content["summary"], content["findings"]
    title = summary["report_type"].replace("_", " ").capitalize()
    where = f" ({summary['environment']})" if "environment" in summary else ""
    lines = [
        f"# {title}: {summary['project_id']}{where}",
        "",
        f"Ready: {'yes' if summary['ready'] else 'no'}",
        "",
        f"Open findings: {findings['open']}",
        *(f"- {level}: {count}" for level, count in findings["open_by_severity"].items()),
        "",
        "## Blockers",
        *(f"- {blocker}" for blocker in content["blockers"] or ["none"]),
    ]
    return "\n".join(lines) + "\n"


async def _replay(uow: UnitOfWork, report: Report, key: str) -> Report:
    stored = await uow.reports.get(report.report_id)
    if (stored.report_type, stored.format, stored.project_id) != (
        report.report_type,
        report.format,
        report.project_id,
    ):
        raise IdempotencyConflict(
            "this idempotency key was used for a different report",
            idempotency_key=key,
            report_id=report.report_id,
        )
    return stored
