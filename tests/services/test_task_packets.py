"""Claiming, heartbeats, releases and expiry of task packets, on every store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from ingest_helpers import audit_events, findings
from loop_helpers import AGENT, LEASE, OPERATOR, OTHER_AGENT, Loop, guard_engine, make_loop

from pearl_core import FindingStatus, PearlError, RegorusEngine
from pearl_core.domain.enums import TaskPacketStatus
from pearl_core.ports import UnitOfWorkFactory
from pearl_core.services.packets import (
    claim_task_packet,
    expire_task_packets,
    heartbeat_task_packet,
    next_task_packet,
    release_task_packet,
)
from pearl_core.testing import FakeClock

pytestmark = pytest.mark.anyio
__all__ = ["guard_engine"]


@pytest.fixture
async def loop(any_store: UnitOfWorkFactory, clock: FakeClock, guard_engine: RegorusEngine) -> Loop:
    return await make_loop(any_store, clock, guard_engine)


async def claim(loop: Loop, who: object = AGENT) -> object:
    return await claim_task_packet(
        loop.store.unit_of_work(who),  # type: ignore[arg-type]
        loop.packet_id,
        clock=loop.clock,
        lease_ttl=LEASE,
    )


async def test_claiming_leases_the_packet_and_starts_work_on_its_findings(loop: Loop) -> None:
    await claim(loop)

    packet = await loop.packet()
    assert packet.status is TaskPacketStatus.CLAIMED
    assert packet.lease is not None
    assert packet.lease.holder_id == AGENT.subject_id
    assert packet.lease.expires_at == loop.clock.now() + LEASE
    statuses = {f.finding_id: f.status for f in await findings(loop.store)}
    assert statuses[loop.finding_id] is FindingStatus.IN_PROGRESS
    actions = [event.action for event in await audit_events(loop.store)]
    assert "task_packet.claimed" in actions


async def test_claiming_a_packet_another_agent_holds_is_a_conflict(loop: Loop) -> None:
    await claim(loop)

    with pytest.raises(PearlError) as caught:
        await claim(loop, OTHER_AGENT)

    assert caught.value.code == "conflict"
    lease = (await loop.packet()).lease
    assert lease is not None
    assert lease.holder_id == AGENT.subject_id


async def test_an_expired_lease_returns_the_packet_so_another_agent_can_claim_it(
    loop: Loop,
) -> None:
    await claim(loop)
    loop.clock.advance(LEASE.total_seconds() + 1)

    await claim(loop, OTHER_AGENT)

    lease = (await loop.packet()).lease
    assert lease is not None
    assert lease.holder_id == OTHER_AGENT.subject_id
    actions = [event.action for event in await audit_events(loop.store)]
    assert actions.count("task_packet.lease_expired") == 1


async def test_a_heartbeat_extends_the_holders_lease(loop: Loop) -> None:
    await claim(loop)
    loop.clock.advance(600)

    await heartbeat_task_packet(
        loop.store.unit_of_work(AGENT), loop.packet_id, clock=loop.clock, lease_ttl=LEASE
    )

    lease = (await loop.packet()).lease
    assert lease is not None
    assert lease.expires_at == loop.clock.now() + LEASE
    assert lease.heartbeat_at == loop.clock.now()


async def test_only_the_holder_may_heartbeat_and_a_lapsed_lease_cannot_be_revived(
    loop: Loop,
) -> None:
    await claim(loop)

    with pytest.raises(PearlError) as foreign:
        await heartbeat_task_packet(
            loop.store.unit_of_work(OTHER_AGENT), loop.packet_id, clock=loop.clock, lease_ttl=LEASE
        )
    loop.clock.advance(LEASE.total_seconds())
    with pytest.raises(PearlError) as lapsed:
        await heartbeat_task_packet(
            loop.store.unit_of_work(AGENT), loop.packet_id, clock=loop.clock, lease_ttl=LEASE
        )

    assert (foreign.value.code, lapsed.value.code) == ("conflict", "invalid_transition")


async def test_the_holder_releases_the_packet_and_nobody_else_can(loop: Loop) -> None:
    await claim(loop)

    with pytest.raises(PearlError) as caught:
        await release_task_packet(
            loop.store.unit_of_work(OTHER_AGENT), loop.packet_id, clock=loop.clock
        )
    assert caught.value.code == "conflict"
    await release_task_packet(loop.store.unit_of_work(AGENT), loop.packet_id, clock=loop.clock)

    packet = await loop.packet()
    assert (packet.status, packet.lease) == (TaskPacketStatus.AVAILABLE, None)


async def test_an_expired_packet_cannot_be_claimed(loop: Loop) -> None:
    loop.clock.advance(timedelta(days=1, seconds=1).total_seconds())

    with pytest.raises(PearlError) as caught:
        await claim(loop)

    assert caught.value.code == "invalid_transition"
    assert (await loop.packet()).status is TaskPacketStatus.EXPIRED


async def test_the_sweep_settles_lapsed_leases_and_packets(loop: Loop) -> None:
    await claim(loop)
    loop.clock.advance(LEASE.total_seconds() + 1)

    changed = await expire_task_packets(loop.store.unit_of_work(OPERATOR), clock=loop.clock)

    assert changed == [loop.packet_id]
    assert (await loop.packet()).status is TaskPacketStatus.AVAILABLE


async def test_next_task_packet_claims_available_work_and_then_finds_none(loop: Loop) -> None:
    first = await next_task_packet(
        loop.store.unit_of_work(AGENT), clock=loop.clock, lease_ttl=LEASE
    )
    again = await next_task_packet(
        loop.store.unit_of_work(AGENT), clock=loop.clock, lease_ttl=LEASE
    )
    other = await next_task_packet(
        loop.store.unit_of_work(OTHER_AGENT), clock=loop.clock, lease_ttl=LEASE
    )

    assert first is not None
    assert first.task_packet_id == loop.packet_id
    assert again is not None
    assert again.task_packet_id == loop.packet_id
    assert other is None


async def test_a_viewer_cannot_claim_packets(loop: Loop) -> None:
    from pearl_core.domain.enums import Role
    from pearl_core.testing import make_principal

    viewer = make_principal(org_id=AGENT.org_id, roles={Role.VIEWER})
    with pytest.raises(PearlError) as caught:
        await claim(loop, viewer)

    assert caught.value.code == "forbidden"
    assert (await loop.packet()).status is TaskPacketStatus.AVAILABLE
