"""Jobs and reports: the records of PeaRL's background work and its outputs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from pearl_core.domain.enums import JobStatus
from pearl_core.domain.jobs import Job
from pearl_core.domain.reports import Report
from pearl_core.errors import AlreadyExists, NotFound
from pearl_core.store.repositories._scope import (
    Scope,
    dump,
    fetch_doc,
    fetch_docs,
    insert_new,
    parse,
    project_parent,
    update_row,
    where,
)
from pearl_core.store.tables import jobs, reports

__all__ = ["SqlJobRepository", "SqlReportRepository"]


def _job_values(job: Job) -> dict[str, Any]:
    return {
        "job_type": job.job_type.value,
        "status": job.status.value,
        "project_id": job.project_id,
        "idempotency_key": job.idempotency_key,
        "attempts": job.attempts,
        "doc": dump(job),
    }


class SqlJobRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def add(self, job: Job) -> None:
        """Store a new job; ``AlreadyExists`` if its id or idempotency key is taken."""
        values = {"job_id": job.job_id, "stored_at": self._scope.clock.now(), **_job_values(job)}
        if not await insert_new(self._scope, jobs, values, parent=project_parent(job.project_id)):
            raise AlreadyExists(
                "a job with this id or idempotency key exists",
                id=job.job_id,
                idempotency_key=job.idempotency_key,
            )

    async def get(self, job_id: str) -> Job:
        statement = select(jobs.c.doc).where(*where(self._scope, jobs, job_id=job_id))
        doc = await fetch_doc(self._scope, statement)
        if doc is None:
            raise NotFound(job_id)
        return parse(Job, doc)

    async def list(self, *, statuses: Sequence[JobStatus] | None = None) -> list[Job]:
        statement = (
            select(jobs.c.doc)
            .where(*where(self._scope, jobs, statuses=statuses))
            .order_by(jobs.c.stored_at, jobs.c.job_id)
        )
        return [parse(Job, doc) for doc in await fetch_docs(self._scope, statement)]

    async def update(self, job: Job) -> None:
        if not await update_row(self._scope, jobs, {"job_id": job.job_id}, _job_values(job)):
            raise NotFound(job.job_id)


class SqlReportRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def add(self, report: Report) -> None:
        values = {
            "report_id": report.report_id,
            "project_id": report.project_id,
            "report_type": report.report_type.value,
            "stored_at": self._scope.clock.now(),
            "doc": dump(report),
        }
        parent = project_parent(report.project_id)
        if not await insert_new(self._scope, reports, values, parent=parent):
            raise AlreadyExists("the report exists", id=report.report_id)

    async def get(self, report_id: str) -> Report:
        statement = select(reports.c.doc).where(*where(self._scope, reports, report_id=report_id))
        doc = await fetch_doc(self._scope, statement)
        if doc is None:
            raise NotFound(report_id)
        return parse(Report, doc)

    async def list(self, *, project_id: str | None = None) -> list[Report]:
        statement = (
            select(reports.c.doc)
            .where(*where(self._scope, reports, project_id=project_id))
            .order_by(reports.c.stored_at, reports.c.report_id)
        )
        return [parse(Report, doc) for doc in await fetch_docs(self._scope, statement)]
