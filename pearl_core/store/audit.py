"""The SQL audit log: an append-only, hash-chained table per org.

Appending takes the org's chain head row under lock, so concurrent writers
(threads, replicas) append one after another:

* PostgreSQL: ``SELECT ... FOR UPDATE`` on the org's ``audit_heads`` row,
  created on first use with ``INSERT ... ON CONFLICT DO NOTHING``. The lock is
  held until the unit of work commits or rolls back.
* SQLite: every unit of work began with ``BEGIN IMMEDIATE`` and so already
  holds the database's single write lock (``FOR UPDATE`` renders to nothing).

The event row and the new head are written in the unit of work's own
transaction, so an audit record exists exactly when the change it describes
does. Triggers installed by the migration reject UPDATE and DELETE on
``audit_events``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Row, insert, select, update

from pearl_core.canonical import canonical_json
from pearl_core.domain.audit import GENESIS_HASH, AuditEvent, AuditOutcome, next_event
from pearl_core.domain.enums import PrincipalKind
from pearl_core.errors import AuditChainBroken
from pearl_core.store.repositories._scope import Scope, insert_ignoring_duplicates
from pearl_core.store.tables import audit_events, audit_heads
from pearl_core.trace import current_trace_id

__all__ = ["SqlAuditLog"]

_EVENT_COLUMNS = (
    audit_events.c.event_id,
    audit_events.c.seq,
    audit_events.c.occurred_at,
    audit_events.c.actor_id,
    audit_events.c.actor_kind,
    audit_events.c.action,
    audit_events.c.resource_type,
    audit_events.c.resource_id,
    audit_events.c.outcome,
    audit_events.c.trace_id,
    audit_events.c.details,
    audit_events.c.prev_hash,
    audit_events.c.hash,
)


class SqlAuditLog:
    """``ports.AuditLog`` over ``audit_events`` and ``audit_heads``."""

    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def record(
        self,
        action: str,
        *,
        resource_type: str,
        resource_id: str,
        outcome: AuditOutcome = AuditOutcome.SUCCESS,
        details: dict[str, Any] | None = None,
    ) -> AuditEvent:
        scope = self._scope
        seq, prev_hash = await self._lock_head()
        event = next_event(
            head=(seq, prev_hash),
            principal=scope.principal,
            occurred_at=scope.clock.now(),
            trace_id=current_trace_id(),
            action=action,
            resource_type=resource_type,
            resource_id=resource_id,
            outcome=outcome,
            details=details,
        )
        await scope.execute(insert(audit_events).values(_event_row(event)))
        await scope.execute(
            update(audit_heads)
            .where(scope.owns(audit_heads))
            .values(seq=event.seq, hash=event.hash)
        )
        scope.audit_records += 1
        return event

    async def events(
        self, *, after_seq: int = 0, batch_size: int = 1000
    ) -> AsyncIterator[AuditEvent]:
        last = after_seq
        while True:
            statement = (
                select(*_EVENT_COLUMNS)
                .where(self._scope.owns(audit_events), audit_events.c.seq > last)
                .order_by(audit_events.c.seq)
                .limit(batch_size)
            )
            rows = (await self._scope.execute(statement)).all()
            for row in rows:
                yield _event_from_row(self._scope.org_id, row)
            if len(rows) < batch_size:
                return
            last = rows[-1].seq

    async def head(self) -> tuple[int, str]:
        """The head, locked like :meth:`record` does, until the unit of work ends.

        The lock keeps concurrent appends out, so ``head()`` and a following
        ``events()`` walk describe the same chain (PostgreSQL reads committed
        data per statement; SQLite's ``BEGIN IMMEDIATE`` already serialises).
        """
        return await self._lock_head()

    async def _lock_head(self) -> tuple[int, str]:
        scope = self._scope
        locked = (
            select(audit_heads.c.seq, audit_heads.c.hash)
            .where(scope.owns(audit_heads))
            .with_for_update()
        )
        row = (await scope.execute(locked)).one_or_none()
        if row is None:
            new_head = {"org_id": scope.org_id, "seq": 0, "hash": GENESIS_HASH}
            await scope.execute(insert_ignoring_duplicates(scope, audit_heads).values(new_head))
            row = (await scope.execute(locked)).one()
        return int(row.seq), str(row.hash)


def _event_row(event: AuditEvent) -> dict[str, Any]:
    return {
        "org_id": event.org_id,
        "seq": event.seq,
        "event_id": event.event_id,
        "occurred_at": event.occurred_at,
        "actor_id": event.actor_id,
        "actor_kind": event.actor_kind.value,
        "action": event.action,
        "resource_type": event.resource_type,
        "resource_id": event.resource_id,
        "outcome": event.outcome.value,
        "trace_id": event.trace_id,
        "details": canonical_json(event.details).decode("utf-8"),
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def _event_from_row(org_id: str, row: Row[Any]) -> AuditEvent:
    try:
        return AuditEvent(
            event_id=row.event_id,
            org_id=org_id,
            seq=int(row.seq),
            occurred_at=row.occurred_at,
            actor_id=row.actor_id,
            actor_kind=PrincipalKind(row.actor_kind),
            action=row.action,
            resource_type=row.resource_type,
            resource_id=row.resource_id,
            outcome=AuditOutcome(row.outcome),
            trace_id=row.trace_id,
            details=json.loads(row.details),
            prev_hash=row.prev_hash,
            hash=row.hash,
        )
    except (ValidationError, ValueError) as exc:
        raise AuditChainBroken("a stored audit event is malformed", seq=int(row.seq)) from exc
