"""The decision log: one row per policy evaluation, written once, read in time order.

Rows are inserted with ``needs_audit=False``: a logged decision is not a
state change of a governed object, so it does not oblige the unit of work to
record an audit event (see :class:`pearl_core.ports.DecisionLogRepository`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, literal, select, tuple_

from pearl_core.domain.decisions import DecisionRecord
from pearl_core.errors import AlreadyExists, Forbidden, NotFound
from pearl_core.store.repositories._scope import (
    Scope,
    dump,
    fetch_doc,
    insert_batch,
    insert_new,
    parse,
    where,
)
from pearl_core.store.tables import decisions

__all__ = ["SqlDecisionLogRepository"]

_table = decisions


class SqlDecisionLogRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def add(self, record: DecisionRecord) -> None:
        if record.org_id != self._scope.org_id:
            raise Forbidden("cannot log a decision of another org", org_id=record.org_id)
        values = {
            "decision_id": record.decision_id,
            "entrypoint": record.entrypoint,
            "decided_at": record.decided_at,
            "bundle_hash": record.bundle_hash,
            "decision": record.decision,
            "doc": dump(record),
        }
        if not await insert_new(self._scope, _table, values, needs_audit=False):
            raise AlreadyExists("the decision is already logged", id=record.decision_id)

    async def add_many(self, records: Sequence[DecisionRecord]) -> None:
        if any(record.org_id != self._scope.org_id for record in records):
            raise Forbidden("cannot log a decision of another org")
        rows = [
            {
                "decision_id": record.decision_id,
                "entrypoint": record.entrypoint,
                "decided_at": record.decided_at,
                "bundle_hash": record.bundle_hash,
                "decision": record.decision,
                "doc": dump(record),
            }
            for record in records
        ]
        await insert_batch(self._scope, _table, rows, what="decision", needs_audit=False)

    async def get(self, decision_id: str) -> DecisionRecord:
        statement = select(_table.c.doc).where(*where(self._scope, _table, decision_id=decision_id))
        doc = await fetch_doc(self._scope, statement)
        if doc is None:
            raise NotFound(decision_id)
        return parse(DecisionRecord, doc)

    async def since(
        self,
        since: datetime,
        *,
        entrypoint: str | None = None,
        after_id: str | None = None,
        limit: int | None = None,
        batch_size: int = 500,
    ) -> AsyncIterator[DecisionRecord]:
        position = _table.c.decided_at >= since
        if after_id is not None:
            position = _after(since, after_id)
        remaining = limit
        while remaining is None or remaining > 0:
            size = max(1, batch_size if remaining is None else min(batch_size, remaining))
            rows = await self._page(position, entrypoint, size)
            for row in rows:
                yield parse(DecisionRecord, row.doc)
            if len(rows) < size:
                return
            if remaining is not None:
                remaining -= len(rows)
            position = _after(rows[-1].decided_at, rows[-1].decision_id)

    async def _page(
        self, position: ColumnElement[bool], entrypoint: str | None, size: int
    ) -> list[Row[Any]]:
        statement = (
            select(_table.c.decided_at, _table.c.decision_id, _table.c.doc)
            .where(*where(self._scope, _table, entrypoint=entrypoint), position)
            .order_by(_table.c.decided_at, _table.c.decision_id)
            .limit(size)
        )
        return list((await self._scope.execute(statement)).all())


def _after(decided_at: datetime, decision_id: str) -> ColumnElement[bool]:
    """Rows after ``(decided_at, decision_id)`` in log order (a row-value comparison)."""
    return tuple_(_table.c.decided_at, _table.c.decision_id) > tuple_(
        literal(decided_at, _table.c.decided_at.type),
        literal(decision_id, _table.c.decision_id.type),
    )
