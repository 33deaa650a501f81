"""Run ingests the way callers do, and read back what they left in the store."""

from __future__ import annotations

import io
from typing import Any

from reports import OPERATOR, ORG

from pearl_core import (
    Environment,
    Finding,
    IngestLimits,
    IngestRequest,
    IngestSummary,
    ingest_report,
    list_findings,
)
from pearl_core.domain.audit import AuditEvent
from pearl_core.ports import UnitOfWorkFactory
from pearl_core.testing import FakeClock, make_org, make_project

PROJECT = "proj_payments"
DEV = Environment.DEV


async def seed(store: UnitOfWorkFactory, *project_ids: str) -> None:
    """The org and its projects (``proj_payments`` when none are named)."""
    async with store.unit_of_work(OPERATOR) as uow:
        await uow.orgs.add(make_org(org_id=ORG))
        for project_id in project_ids or (PROJECT,):
            await uow.projects.add(make_project(project_id=project_id))
        await uow.audit.record("test.seeded", resource_type="org", resource_id=ORG)
        await uow.commit()


async def ingest(
    store: UnitOfWorkFactory,
    report: bytes,
    *,
    clock: FakeClock,
    source_name: str = "report.json",
    limits: IngestLimits | None = None,
    principal: Any = OPERATOR,
    **request: Any,
) -> IngestSummary:
    fields: dict[str, Any] = {
        "project_id": PROJECT,
        "environment": DEV,
        "source_name": source_name,
    } | request
    clock.advance(60)
    return await ingest_report(
        store.unit_of_work(principal),
        IngestRequest.model_validate(fields),
        io.BytesIO(report),
        clock=clock,
        limits=limits or IngestLimits(),
    )


async def findings(store: UnitOfWorkFactory, **filters: Any) -> list[Finding]:
    return await list_findings(store.unit_of_work(OPERATOR), limit=10_000, **filters)


async def by_status(store: UnitOfWorkFactory) -> dict[str, str]:
    """``{rule or title: status}`` of every finding of the project."""
    return {
        (f.rule_id or f.title): f.status.value for f in await findings(store, project_id=PROJECT)
    }


async def audit_events(store: UnitOfWorkFactory) -> list[AuditEvent]:
    async with store.unit_of_work(OPERATOR) as uow:
        return [event async for event in uow.audit.events()]


async def audit_head(store: UnitOfWorkFactory) -> tuple[int, str]:
    async with store.unit_of_work(OPERATOR) as uow:
        return await uow.audit.head()
