"""What every service that touches a task packet shares: settle expiry, move
it through its lifecycle with a compare-and-set write and an audit event, and
check that the caller holds its lease.

Expiry is lazy and written through: whoever next touches a packet whose
lease or packet lifetime has passed settles it first (as the system), so an
expired lease returns the packet to ``available`` and an expired packet
becomes ``expired``, each with its own audit event. The sweep
(:func:`pearl_core.services.packets.expire_task_packets`) does the same for
packets nobody touches.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NoReturn

from pearl_core.domain.audit import AuditOutcome
from pearl_core.domain.enums import FindingStatus, TaskPacketStatus
from pearl_core.domain.identity import Principal
from pearl_core.domain.lifecycle import FINDING_LIFECYCLE, TASK_PACKET_LIFECYCLE
from pearl_core.domain.remediation import TaskPacket
from pearl_core.errors import Conflict, InvalidTransition, PearlError
from pearl_core.ports import UnitOfWork
from pearl_core.validation import parse

__all__ = [
    "holder_refusal",
    "lease_live",
    "move_findings",
    "move_packet",
    "packet_lapsed",
    "refuse",
    "require_holder",
    "settle",
    "write_packet",
]

_TP = TaskPacketStatus


def lease_live(packet: TaskPacket, now: datetime) -> bool:
    return packet.lease is not None and now < packet.lease.expires_at


def packet_lapsed(packet: TaskPacket, now: datetime) -> bool:
    return packet.expires_at is not None and now >= packet.expires_at


async def write_packet(
    uow: UnitOfWork,
    old: TaskPacket,
    changes: dict[str, Any],
    *,
    action: str,
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
    **details: Any,
) -> TaskPacket:
    """Store ``old`` with ``changes`` if nobody changed it meanwhile (else ``conflict``),
    and audit ``action`` with ``outcome``."""
    new = parse(TaskPacket, {**old.model_dump(), **changes})
    await uow.task_packets.update(new, expected=old)
    await uow.audit.record(
        action,
        resource_type="task_packet",
        resource_id=old.task_packet_id,
        details={"from": old.status.value, "to": new.status.value, **details},
        outcome=outcome,
    )
    return new


async def move_packet(
    uow: UnitOfWork,
    packet: TaskPacket,
    target: TaskPacketStatus,
    actor: Principal,
    *,
    action: str = "task_packet.status_changed",
    reason: str | None = None,
    changes: dict[str, Any] | None = None,
) -> TaskPacket:
    """Move ``packet`` to ``target`` as ``actor`` (lifecycle checked), with ``changes``."""
    if target != packet.status:
        TASK_PACKET_LIFECYCLE.check(packet.status, target, actor, reason=reason)
    updates = {"status": target, **(changes or {})}
    return await write_packet(uow, packet, updates, action=action, reason=reason)


async def settle(uow: UnitOfWork, packet: TaskPacket, now: datetime) -> TaskPacket:
    """``packet`` with a lapsed packet lifetime or lease written through (see module doc)."""
    system = Principal.system(uow.principal.org_id)
    if packet.status in (_TP.AVAILABLE, _TP.CLAIMED) and packet_lapsed(packet, now):
        return await move_packet(
            uow, packet, _TP.EXPIRED, system, action="task_packet.expired", changes={"lease": None}
        )
    if packet.status is _TP.CLAIMED and not lease_live(packet, now):
        holder = packet.lease.holder_id if packet.lease else None
        return await move_packet(
            uow,
            packet,
            _TP.AVAILABLE,
            system,
            action="task_packet.lease_expired",
            reason=f"the lease of {holder} expired",
            changes={"lease": None},
        )
    return packet


def holder_refusal(packet: TaskPacket, principal: Principal, now: datetime) -> PearlError | None:
    """Why ``principal`` may not work the (settled) ``packet``, or ``None`` if it
    holds a live lease: ``invalid_transition`` unless claimed, ``conflict`` when
    another principal holds it."""
    where = {"task_packet_id": packet.task_packet_id, "status": packet.status.value}
    if packet.status is not _TP.CLAIMED or packet.lease is None:
        return InvalidTransition(f"the task packet is {packet.status}, not claimed", **where)
    if packet.lease.holder_id != principal.subject_id:
        return Conflict("the task packet is leased to another principal", **where)
    if not lease_live(packet, now):
        return InvalidTransition("the lease on the task packet has expired", **where)
    return None


async def require_holder(uow: UnitOfWork, packet: TaskPacket, now: datetime) -> None:
    """Refuse (see :func:`holder_refusal`) unless the acting principal holds the lease."""
    error = holder_refusal(packet, uow.principal, now)
    if error is not None:
        await refuse(uow, error)


async def refuse(uow: UnitOfWork, error: PearlError) -> NoReturn:
    """Commit what settling wrote (expiry is a fact, whatever the caller wanted),
    then raise ``error``. Only for refusals made before the operation wrote anything."""
    await uow.commit()
    raise error


async def move_findings(
    uow: UnitOfWork,
    finding_ids: list[str],
    sources: frozenset[FindingStatus],
    target: FindingStatus,
    actor: Principal,
    *,
    now: datetime,
    reason: str,
) -> list[str]:
    """Move those of ``finding_ids`` now in one of ``sources`` to ``target`` as
    ``actor``; audit each. Returns the ids moved."""
    moved = []
    for finding in await uow.findings.by_ids(finding_ids):
        if finding.status not in sources:
            continue
        FINDING_LIFECYCLE.check(finding.status, target, actor, reason=reason)
        changed = finding.model_copy(
            update={"status": target, "status_reason": reason, "updated_at": now}
        )
        await uow.findings.update(changed)
        await uow.audit.record(
            "finding.status_changed",
            resource_type="finding",
            resource_id=finding.finding_id,
            details={"from": finding.status.value, "to": target.value, "reason": reason},
        )
        moved.append(finding.finding_id)
    return moved
