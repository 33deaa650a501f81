"""Findings: normalised scanner results, one per fingerprint per project environment."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from pearl_core.domain.enums import Environment, FindingStatus, RiskLevel
from pearl_core.domain.findings import Finding
from pearl_core.errors import AlreadyExists, Conflict, FindingNotFound, ProjectNotFound
from pearl_core.ports import FindingIndexEntry
from pearl_core.store.repositories._finding_rows import (
    UPDATED_COLUMNS,
    chunks,
    filters_of,
    row_of,
)
from pearl_core.store.repositories._scope import (
    Scope,
    fetch_doc,
    fetch_docs,
    insert_new,
    is_foreign_key_violation,
    parse,
    project_parent,
    update_row,
)
from pearl_core.store.tables import findings, projects

__all__ = ["SqlFindingRepository"]

_table = findings


class SqlFindingRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def add(self, finding: Finding) -> None:
        """Store a new finding; ``AlreadyExists`` if its id, or its fingerprint in
        the same project environment, is taken."""
        values = {
            "finding_id": finding.finding_id,
            "stored_at": self._scope.clock.now(),
            **row_of(finding),
        }
        parent = project_parent(finding.project_id)
        if not await insert_new(self._scope, _table, values, parent=parent):
            raise AlreadyExists(
                "a finding with this id or fingerprint exists",
                id=finding.finding_id,
                fingerprint=finding.fingerprint,
            )

    async def add_many(self, new_findings: Sequence[Finding]) -> None:
        """Store many new findings in one batched ``INSERT``, all or none.

        ``AlreadyExists`` (naming the taken ids) if any id, or fingerprint in
        its project environment, is taken; nothing of the batch is kept then.
        The insert runs in a savepoint, so a refused batch leaves the unit of
        work usable; which ids were taken is only worked out after a refusal.
        """
        if not new_findings:
            return
        scope = self._scope
        now = scope.clock.now()
        rows = [
            {
                "org_id": scope.org_id,
                "finding_id": f.finding_id,
                "stored_at": now,
                **row_of(f),
            }
            for f in new_findings
        ]
        scope.check_usable()
        savepoint = await scope.conn.begin_nested()
        try:
            await scope.execute(insert(_table), rows)
        except IntegrityError as exc:
            await savepoint.rollback()
            if is_foreign_key_violation(exc):
                raise ProjectNotFound(await self._a_missing_project(new_findings)) from None
            taken = await self._taken(new_findings)
            if not taken:
                raise
            raise AlreadyExists("some findings' ids or fingerprints are taken", ids=taken) from None
        await savepoint.commit()
        scope.writes += len(rows)

    async def _taken(self, new_findings: Sequence[Finding]) -> list[str]:
        """Ids of the batch an ``INSERT ... ON CONFLICT DO NOTHING`` would skip:
        id or fingerprint stored already, or used by an earlier finding of the batch."""
        c = _table.c
        stored_ids: set[str] = set()
        for chunk in chunks([f.finding_id for f in new_findings]):
            statement = select(c.finding_id).where(
                self._scope.owns(_table), c.finding_id.in_(chunk)
            )
            stored_ids.update((await self._scope.execute(statement)).scalars())
        stored_keys: set[tuple[str, str, str]] = set()
        for chunk in chunks(sorted({f.fingerprint for f in new_findings})):
            statement = select(c.project_id, c.environment, c.fingerprint).where(
                self._scope.owns(_table), c.fingerprint.in_(chunk)
            )
            rows = (await self._scope.execute(statement)).all()
            stored_keys.update((r.project_id, r.environment, r.fingerprint) for r in rows)
        taken: list[str] = []
        for f in new_findings:
            key = (f.project_id, f.environment.value, f.fingerprint)
            if f.finding_id in stored_ids or key in stored_keys:
                taken.append(f.finding_id)
            else:
                stored_ids.add(f.finding_id)
                stored_keys.add(key)
        return taken

    async def get(self, finding_id: str) -> Finding:
        statement = select(_table.c.doc).where(
            self._scope.owns(_table), _table.c.finding_id == finding_id
        )
        doc = await fetch_doc(self._scope, statement)
        if doc is None:
            raise FindingNotFound(finding_id)
        return parse(Finding, doc)

    async def by_ids(self, finding_ids: Sequence[str]) -> list[Finding]:
        found: dict[str, Finding] = {}
        for chunk in chunks(finding_ids):
            statement = select(_table.c.doc).where(
                self._scope.owns(_table), _table.c.finding_id.in_(chunk)
            )
            for doc in await fetch_docs(self._scope, statement):
                finding = parse(Finding, doc)
                found[finding.finding_id] = finding
        return [found[i] for i in finding_ids if i in found]

    async def scope_index(
        self, project_id: str, environment: Environment, *, for_update: bool = False
    ) -> list[FindingIndexEntry]:
        if for_update:
            lock = (
                select(projects.c.project_id)
                .where(self._scope.owns(projects), projects.c.project_id == project_id)
                .with_for_update()
            )
            await self._scope.execute(lock)
        c = _table.c
        statement = (
            select(
                c.finding_id, c.fingerprint, c.cross_tool_key, c.tool_name, c.status, c.content_hash
            )
            .where(
                self._scope.owns(_table),
                c.project_id == project_id,
                c.environment == environment.value,
            )
            .order_by(c.stored_at, c.finding_id)
        )
        rows = (await self._scope.execute(statement)).all()
        status = FindingStatus
        return [
            FindingIndexEntry(
                r.finding_id,
                r.fingerprint,
                r.cross_tool_key,
                r.tool_name,
                status(r.status),
                r.content_hash,
            )
            for r in rows
        ]

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
        severities: Sequence[RiskLevel] | None = None,
        tool_name: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Finding]:
        filters = filters_of(self._scope, project_id, environment, statuses, severities, tool_name)
        statement = (
            select(_table.c.doc)
            .where(*filters)
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
        severities: Sequence[RiskLevel] | None = None,
        tool_name: str | None = None,
    ) -> int:
        filters = filters_of(self._scope, project_id, environment, statuses, severities, tool_name)
        statement = select(func.count()).select_from(_table).where(*filters)
        return int((await self._scope.execute(statement)).scalar_one())

    async def update(self, finding: Finding) -> None:
        key = {"finding_id": finding.finding_id}
        if not await update_row(self._scope, _table, key, row_of(finding)):
            raise FindingNotFound(finding.finding_id)

    async def update_many(self, changed: Sequence[Finding]) -> None:
        """Replace many stored findings in one batched ``UPDATE``, all or none."""
        if not changed:
            return
        scope = self._scope
        missing = await self._missing([f.finding_id for f in changed])
        if missing is not None:
            raise FindingNotFound(missing)
        statement = (
            update(_table)
            .where(scope.owns(_table), _table.c.finding_id == bindparam("b_finding_id"))
            .values({name: bindparam(f"b_{name}") for name in UPDATED_COLUMNS})
        )
        rows = [
            {"b_finding_id": f.finding_id, **{f"b_{k}": v for k, v in row_of(f).items()}}
            for f in changed
        ]
        scope.check_usable()
        savepoint = await scope.conn.begin_nested()
        try:
            await scope.execute(statement, rows)
        except IntegrityError as exc:
            await savepoint.rollback()
            raise Conflict("the change collides with another stored row", table="findings") from exc
        await savepoint.commit()
        scope.writes += len(rows)

    async def _missing(self, ids: Sequence[str]) -> str | None:
        """The first of ``ids`` that is not a finding of the org, if any."""
        present: set[str] = set()
        for chunk in chunks(ids):
            statement = select(_table.c.finding_id).where(
                self._scope.owns(_table), _table.c.finding_id.in_(chunk)
            )
            present.update((await self._scope.execute(statement)).scalars())
        return next((i for i in ids if i not in present), None)

    async def _a_missing_project(self, new_findings: Sequence[Finding]) -> str:
        wanted = {f.project_id for f in new_findings}
        statement = select(projects.c.project_id).where(
            self._scope.owns(projects), projects.c.project_id.in_(wanted)
        )
        found = set((await self._scope.execute(statement)).scalars())
        return min(wanted - found or wanted)
