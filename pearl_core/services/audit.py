"""Reading and verifying the tamper-evident audit log."""

from __future__ import annotations

from pearl_core.audit.chain import ChainReport, averify_chain
from pearl_core.authz import Permission, authorize
from pearl_core.domain.audit import AuditEvent
from pearl_core.ports import UnitOfWork

__all__ = ["list_audit_events", "verify_audit_chain"]


async def verify_audit_chain(uow: UnitOfWork) -> ChainReport:
    """Walk the principal's org chain from the first event; report the first broken one."""
    authorize(uow.principal, Permission.AUDIT_READ)
    async with uow:
        head = await uow.audit.head()
        return await averify_chain(uow.audit.events(), head)


async def list_audit_events(
    uow: UnitOfWork, *, after_seq: int = 0, limit: int = 100
) -> list[AuditEvent]:
    authorize(uow.principal, Permission.AUDIT_READ)
    events: list[AuditEvent] = []
    async with uow:
        async for event in uow.audit.events(after_seq=after_seq):
            events.append(event)
            if len(events) >= limit:
                break
    return events
