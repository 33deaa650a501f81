"""Task packets: list, read, claim, heartbeat, release, and the expiry sweep.

A packet is leased to one principal at a time. Claiming an ``available``
packet grants a lease of ``lease_ttl``; the holder's heartbeats extend it
(never past the packet's own expiry); releasing returns the packet. A lease
that lapses returns the packet to ``available`` the next time anyone touches
it (:mod:`pearl_core.services._packets`), so a crashed agent never holds work
hostage. Claiming a packet another principal holds a live lease on is a
``conflict``; claiming one you already hold renews your lease. Claiming moves
the packet's open findings to ``in_progress``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from pearl_core.authz import Permission, authorize
from pearl_core.clock import Clock
from pearl_core.domain.enums import FindingStatus, TaskPacketStatus
from pearl_core.domain.identity import Principal
from pearl_core.domain.remediation import Lease, TaskPacket
from pearl_core.errors import Conflict, InvalidTransition
from pearl_core.ports import UnitOfWork
from pearl_core.services._packets import (
    holder_refusal,
    lease_live,
    move_findings,
    move_packet,
    refuse,
    require_holder,
    settle,
    write_packet,
)

__all__ = [
    "claim_task_packet",
    "expire_task_packets",
    "get_task_packet",
    "heartbeat_task_packet",
    "list_task_packets",
    "next_task_packet",
    "release_task_packet",
]

_TP = TaskPacketStatus
_STARTABLE = frozenset({FindingStatus.OPEN, FindingStatus.TRIAGED, FindingStatus.REOPENED})


async def list_task_packets(
    uow: UnitOfWork,
    *,
    project_id: str | None = None,
    statuses: Sequence[TaskPacketStatus] | None = None,
) -> list[TaskPacket]:
    """Packets matching the filters (``None``: any), oldest first, as stored."""
    authorize(uow.principal, Permission.PACKETS_READ)
    async with uow.reading():
        return await uow.task_packets.list(project_id=project_id, statuses=statuses)


async def get_task_packet(uow: UnitOfWork, task_packet_id: str) -> TaskPacket:
    """The packet; ``not_found`` if it is not one of the principal's org."""
    authorize(uow.principal, Permission.PACKETS_READ)
    async with uow.reading():
        return await uow.task_packets.get(task_packet_id)


def _lease(principal: Principal, packet: TaskPacket, now: datetime, ttl: timedelta) -> Lease:
    until = now + ttl
    if packet.expires_at is not None:
        until = min(until, packet.expires_at)
    return Lease(holder_id=principal.subject_id, claimed_at=now, expires_at=until)


async def _claim(
    uow: UnitOfWork, packet: TaskPacket, now: datetime, lease_ttl: timedelta
) -> TaskPacket:
    principal = uow.principal
    packet = await settle(uow, packet, now)
    where = {"task_packet_id": packet.task_packet_id, "status": packet.status.value}
    if packet.status is _TP.CLAIMED and packet.lease is not None:
        if packet.lease.holder_id != principal.subject_id:
            await refuse(uow, Conflict("the task packet is leased to another principal", **where))
        renewed = _lease(principal, packet, now, lease_ttl)
        renewed = renewed.model_copy(update={"claimed_at": packet.lease.claimed_at})
        return await write_packet(
            uow, packet, {"lease": renewed, "status": _TP.CLAIMED}, action="task_packet.renewed"
        )
    if packet.status is not _TP.AVAILABLE:
        error = InvalidTransition(f"a {packet.status} task packet cannot be claimed", **where)
        await refuse(uow, error)
    claimed = await move_packet(
        uow,
        packet,
        _TP.CLAIMED,
        principal,
        action="task_packet.claimed",
        changes={"lease": _lease(principal, packet, now, lease_ttl), "denied_attempts": 0},
    )
    await move_findings(
        uow,
        list(packet.finding_refs),
        _STARTABLE,
        FindingStatus.IN_PROGRESS,
        principal,
        now=now,
        reason=f"claimed in {packet.task_packet_id}",
    )
    return claimed


async def claim_task_packet(
    uow: UnitOfWork, task_packet_id: str, *, clock: Clock, lease_ttl: timedelta
) -> TaskPacket:
    """Claim the packet for the acting principal (see the module docstring)."""
    authorize(uow.principal, Permission.PACKETS_WORK)
    async with uow:
        packet = await uow.task_packets.get(task_packet_id)
        claimed = await _claim(uow, packet, clock.now(), lease_ttl)
        await uow.commit()
    return claimed


async def next_task_packet(
    uow: UnitOfWork,
    *,
    clock: Clock,
    lease_ttl: timedelta,
    project_id: str | None = None,
) -> TaskPacket | None:
    """Claim the oldest claimable packet (the caller's own claimed one first);
    ``None`` when there is no work."""
    authorize(uow.principal, Permission.PACKETS_WORK)
    now = clock.now()
    async with uow:
        candidates = await uow.task_packets.list(
            project_id=project_id, statuses=[_TP.CLAIMED, _TP.AVAILABLE]
        )
        mine = [p for p in candidates if holder_refusal(p, uow.principal, now) is None]
        others = [p for p in candidates if p not in mine and _claimable(p, now)]
        for packet in [*mine, *others]:
            claimed = await _claim(uow, packet, now, lease_ttl)
            await uow.commit()
            return claimed
    return None


def _claimable(packet: TaskPacket, now: datetime) -> bool:
    if packet.expires_at is not None and now >= packet.expires_at:
        return False
    return packet.status is _TP.AVAILABLE or not lease_live(packet, now)


async def heartbeat_task_packet(
    uow: UnitOfWork, task_packet_id: str, *, clock: Clock, lease_ttl: timedelta
) -> TaskPacket:
    """Extend the caller's live lease by ``lease_ttl`` from now (not past the
    packet's expiry). A lapsed lease cannot be revived: claim again."""
    authorize(uow.principal, Permission.PACKETS_WORK)
    now = clock.now()
    async with uow:
        packet = await settle(uow, await uow.task_packets.get(task_packet_id), now)
        await require_holder(uow, packet, now)
        lease = packet.lease
        assert lease is not None  # require_holder checked it
        extended = _lease(uow.principal, packet, now, lease_ttl).model_copy(
            update={"claimed_at": lease.claimed_at, "heartbeat_at": now}
        )
        beaten = await write_packet(
            uow, packet, {"lease": extended}, action="task_packet.heartbeat"
        )
        await uow.commit()
    return beaten


async def release_task_packet(
    uow: UnitOfWork, task_packet_id: str, *, clock: Clock, reason: str | None = None
) -> TaskPacket:
    """Give the packet back (the lease holder only); it becomes ``available``."""
    authorize(uow.principal, Permission.PACKETS_WORK)
    now = clock.now()
    async with uow:
        packet = await settle(uow, await uow.task_packets.get(task_packet_id), now)
        await require_holder(uow, packet, now)
        released = await move_packet(
            uow,
            packet,
            _TP.AVAILABLE,
            uow.principal,
            action="task_packet.released",
            reason=reason,
            changes={"lease": None},
        )
        await uow.commit()
    return released


async def expire_task_packets(uow: UnitOfWork, *, clock: Clock) -> list[str]:
    """Settle every available or claimed packet whose lease or lifetime has
    passed; the ids of those changed. Run by operators or a scheduled job."""
    authorize(uow.principal, Permission.PACKETS_WORK)
    now = clock.now()
    changed = []
    async with uow:
        for packet in await uow.task_packets.list(statuses=[_TP.AVAILABLE, _TP.CLAIMED]):
            if (await settle(uow, packet, now)) != packet:
                changed.append(packet.task_packet_id)
        await uow.commit()
    return changed
