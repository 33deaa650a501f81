"""Ingest runs: one row per accepted scanner report, written once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Row, select

from pearl_core.domain.enums import Environment
from pearl_core.domain.ingest import FindingChanges, IngestRun, IngestSummary
from pearl_core.errors import AlreadyExists, NotFound
from pearl_core.store.repositories._scope import Scope, insert_new, project_parent
from pearl_core.store.tables import ingest_runs

__all__ = ["SqlIngestRunRepository"]

_table = ingest_runs


def _run(row: Row[Any]) -> IngestRun:
    return IngestRun(
        ingest_id=row.ingest_id,
        project_id=row.project_id,
        environment=Environment(row.environment),
        idempotency_key=row.idempotency_key,
        content_hash=row.content_hash,
        format=row.format,
        scope=row.scope,
        summary=IngestSummary.model_validate_json(row.summary),
        changes=FindingChanges.model_validate_json(row.finding_ids),
        created_by=row.created_by,
        created_at=row.created_at,
    )


class SqlIngestRunRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def add(self, run: IngestRun) -> None:
        values = {
            "ingest_id": run.ingest_id,
            "project_id": run.project_id,
            "environment": run.environment.value,
            "idempotency_key": run.idempotency_key,
            "content_hash": run.content_hash,
            "format": run.format,
            "scope": run.scope,
            "summary": run.summary.model_dump_json(),
            "finding_ids": run.changes.model_dump_json(),
            "created_by": run.created_by,
            "created_at": run.created_at,
        }
        parent = project_parent(run.project_id)
        if not await insert_new(self._scope, _table, values, parent=parent):
            raise AlreadyExists(
                "an ingest run with this id or idempotency key exists", id=run.ingest_id
            )

    async def get(self, ingest_id: str) -> IngestRun:
        run = await self._one(_table.c.ingest_id == ingest_id)
        if run is None:
            raise NotFound(ingest_id)
        return run

    async def by_idempotency_key(self, key: str) -> IngestRun | None:
        return await self._one(_table.c.idempotency_key == key)

    async def _one(self, condition: ColumnElement[bool]) -> IngestRun | None:
        statement = select(_table).where(self._scope.owns(_table), condition).limit(1)
        row = (await self._scope.execute(statement)).one_or_none()
        return None if row is None else _run(row)
