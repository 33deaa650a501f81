"""Findings: normalised scanner results, one per fingerprint per project environment."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError

from pearl_core.domain.enums import Environment, FindingStatus
from pearl_core.domain.findings import Finding
from pearl_core.errors import AlreadyExists, FindingNotFound, ProjectNotFound
from pearl_core.store.repositories._scope import (
    Scope,
    dump,
    fetch_doc,
    fetch_docs,
    insert_ignoring_duplicates,
    insert_new,
    is_foreign_key_violation,
    parse,
    project_parent,
    update_row,
    where,
)
from pearl_core.store.tables import findings, projects

__all__ = ["SqlFindingRepository"]

_table = findings


def _values(finding: Finding) -> dict[str, Any]:
    return {
        "project_id": finding.project_id,
        "environment": finding.environment.value,
        "fingerprint": finding.fingerprint,
        "status": finding.status.value,
        "severity": finding.severity.value,
        "tool_name": finding.source.tool_name,
        "detected_at": finding.detected_at,
        "doc": dump(finding),
    }


def _where(
    scope: Scope,
    project_id: str | None,
    environment: Environment | None,
    statuses: Sequence[FindingStatus] | None,
) -> list[ColumnElement[bool]]:
    return where(
        scope,
        _table,
        statuses=statuses,
        project_id=project_id,
        environment=None if environment is None else environment.value,
    )


class SqlFindingRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def add(self, finding: Finding) -> None:
        """Store a new finding; ``AlreadyExists`` if its id, or its fingerprint in
        the same project environment, is taken."""
        values = {
            "finding_id": finding.finding_id,
            "stored_at": self._scope.clock.now(),
            **_values(finding),
        }
        parent = project_parent(finding.project_id)
        if not await insert_new(self._scope, _table, values, parent=parent):
            raise AlreadyExists(
                "a finding with this id or fingerprint exists",
                id=finding.finding_id,
                fingerprint=finding.fingerprint,
            )

    async def add_many(self, new_findings: Sequence[Finding]) -> None:
        """Store many new findings at once (multi-row inserts), all or none.

        ``AlreadyExists`` (naming the taken ids) if any id, or fingerprint in
        its project environment, is taken; nothing of the batch is kept then.
        """
        if not new_findings:
            return
        scope = self._scope
        now = scope.clock.now()
        rows = [
            {"org_id": scope.org_id, "finding_id": f.finding_id, "stored_at": now, **_values(f)}
            for f in new_findings
        ]
        statement = insert_ignoring_duplicates(scope, _table).returning(_table.c.finding_id)
        scope.check_usable()
        savepoint = await scope.conn.begin_nested()
        try:
            inserted = set((await scope.execute(statement, rows)).scalars())
        except IntegrityError as exc:
            await savepoint.rollback()
            if is_foreign_key_violation(exc):
                raise ProjectNotFound(await self._a_missing_project(new_findings)) from None
            raise
        if len(inserted) != len(rows):
            await savepoint.rollback()
            taken = [f.finding_id for f in new_findings if f.finding_id not in inserted]
            raise AlreadyExists("some findings' ids or fingerprints are taken", ids=taken)
        await savepoint.commit()
        scope.writes += len(rows)

    async def get(self, finding_id: str) -> Finding:
        statement = select(_table.c.doc).where(
            self._scope.owns(_table), _table.c.finding_id == finding_id
        )
        doc = await fetch_doc(self._scope, statement)
        if doc is None:
            raise FindingNotFound(finding_id)
        return parse(Finding, doc)

    async def by_fingerprint(
        self, project_id: str, environment: Environment, fingerprint: str
    ) -> Finding | None:
        statement = select(_table.c.doc).where(
            self._scope.owns(_table),
            _table.c.project_id == project_id,
            _table.c.environment == environment.value,
            _table.c.fingerprint == fingerprint,
        )
        doc = await fetch_doc(self._scope, statement)
        return None if doc is None else parse(Finding, doc)

    async def list(
        self,
        *,
        project_id: str | None = None,
        environment: Environment | None = None,
        statuses: Sequence[FindingStatus] | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Finding]:
        statement = (
            select(_table.c.doc)
            .where(*_where(self._scope, project_id, environment, statuses))
            .order_by(_table.c.stored_at, _table.c.finding_id)
            .limit(limit)
            .offset(offset)
        )
        return [parse(Finding, doc) for doc in await fetch_docs(self._scope, statement)]

    async def count(
        self,
        *,
        project_id: str | None = None,
        environment: Environment | None = None,
        statuses: Sequence[FindingStatus] | None = None,
    ) -> int:
        statement = (
            select(func.count())
            .select_from(_table)
            .where(*_where(self._scope, project_id, environment, statuses))
        )
        return int((await self._scope.execute(statement)).scalar_one())

    async def update(self, finding: Finding) -> None:
        key = {"finding_id": finding.finding_id}
        if not await update_row(self._scope, _table, key, _values(finding)):
            raise FindingNotFound(finding.finding_id)

    async def _a_missing_project(self, new_findings: Sequence[Finding]) -> str:
        wanted = {f.project_id for f in new_findings}
        statement = select(projects.c.project_id).where(
            self._scope.owns(projects), projects.c.project_id.in_(wanted)
        )
        found = set((await self._scope.execute(statement)).scalars())
        return min(wanted - found or wanted)
