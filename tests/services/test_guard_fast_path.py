"""The guard rail's fast path on SQLite and PostgreSQL: allowed actions answered
from the packet cache with their records written behind, and everything else
(denials, approvals, changed packets) on the transactional path."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import pytest
from loop_helpers import AGENT, LEASE, MASK, MAX_DENIED, OPERATOR, Loop, guard_engine, make_loop

from pearl_core import DecisionBuffer, GuardFastPath, NotFound, RegorusEngine
from pearl_core.domain.enums import PrincipalKind, TaskPacketStatus
from pearl_core.packet_cache import PacketCache
from pearl_core.ports import UnitOfWork
from pearl_core.services.guard import GuardResult, check_action
from pearl_core.services.packets import claim_task_packet, release_task_packet
from pearl_core.store import SqlStore, create_engine
from pearl_core.testing import FakeClock

pytestmark = pytest.mark.anyio
__all__ = ["guard_engine"]

EDIT = {"type": "file_write", "path": "app/run.py"}
OUTSIDE = {"type": "file_write", "path": "app/payments.py"}
TTL_S = 2.0


class Ticks:
    """A monotonic clock the tests move by hand (the cache's lifetime is real time)."""

    def __init__(self) -> None:
        self.ns = 0

    def now_ns(self) -> int:
        return self.ns

    def advance(self, seconds: float) -> None:
        self.ns += int(seconds * 1e9)


TICKS = Ticks()


@pytest.fixture
async def served(
    database_url: str, clock: FakeClock, guard_engine: RegorusEngine
) -> AsyncIterator[tuple[Loop, GuardFastPath]]:
    """A claimed packet, and a running fast path over a store with a 2 s cache on
    a hand-moved clock."""
    engine = create_engine(database_url)
    store = SqlStore(engine, clock=clock, packet_cache=PacketCache(TTL_S, now_ns=TICKS.now_ns))
    loop = await make_loop(store, clock, guard_engine)
    await claim_task_packet(store.unit_of_work(AGENT), loop.packet_id, clock=clock, lease_ttl=LEASE)
    fast = GuardFastPath(store.packet_cache, DecisionBuffer(store.unit_of_work))
    try:
        async with fast.decisions.run():
            yield loop, fast
    finally:
        await engine.dispose()


async def check(loop: Loop, fast: GuardFastPath | None, action: dict[str, str]) -> GuardResult:
    return await check_action(
        loop.store.unit_of_work(AGENT),
        loop.engine,
        loop.packet_id,
        action,
        clock=loop.clock,
        mask=MASK,
        max_denied_attempts=MAX_DENIED,
        fast=fast,
    )


async def logged(loop: Loop, decision_id: str) -> str:
    async with loop.store.unit_of_work(OPERATOR) as uow:
        return (await uow.decisions.get(decision_id)).decision


async def test_a_repeated_allow_is_answered_from_the_cache_and_logged_behind(
    served: tuple[Loop, GuardFastPath],
) -> None:
    loop, fast = served
    first = await check(loop, fast, EDIT)  # transactional: reads and caches the packet
    second = await check(loop, fast, EDIT)

    assert (first.decision, second.decision) == ("allow", "allow")
    assert await logged(loop, first.decision_id) == "allow"
    assert fast.decisions.pending == 1  # the second record waits for the flush
    assert await fast.decisions.flush() == 1
    assert await logged(loop, second.decision_id) == "allow"


async def test_a_release_in_this_process_is_seen_by_the_very_next_check(
    served: tuple[Loop, GuardFastPath],
) -> None:
    loop, fast = served
    await check(loop, fast, EDIT)
    await release_task_packet(loop.store.unit_of_work(AGENT), loop.packet_id, clock=loop.clock)

    after = await check(loop, fast, EDIT)

    assert after.decision == "deny"
    assert fast.decisions.pending == 0


async def test_another_process_change_shows_up_within_the_cache_lifetime(
    served: tuple[Loop, GuardFastPath], database_url: str
) -> None:
    loop, fast = served
    await check(loop, fast, EDIT)
    other_engine = create_engine(database_url)  # another replica, its own cache
    try:
        other = SqlStore(other_engine, clock=loop.clock, packet_cache=PacketCache(TTL_S))
        await release_task_packet(other.unit_of_work(AGENT), loop.packet_id, clock=loop.clock)
    finally:
        await other_engine.dispose()

    stale = await check(loop, fast, EDIT)
    TICKS.advance(TTL_S)
    fresh = await check(loop, fast, EDIT)

    assert stale.decision == "allow"  # the documented window: at most the cache lifetime
    assert fresh.decision == "deny"


async def test_a_denial_takes_the_transactional_path_and_counts_against_the_lease(
    served: tuple[Loop, GuardFastPath],
) -> None:
    loop, fast = served
    await check(loop, fast, EDIT)

    denied = await check(loop, fast, OUTSIDE)

    assert denied.decision == "deny"
    assert await logged(loop, denied.decision_id) == "deny"  # written in its transaction
    assert (await loop.packet()).denied_attempts == 1


async def test_lease_revocation_after_denials_ends_fast_allows(
    served: tuple[Loop, GuardFastPath],
) -> None:
    loop, fast = served
    await check(loop, fast, EDIT)
    for _ in range(MAX_DENIED):
        await check(loop, fast, OUTSIDE)

    after = await check(loop, fast, EDIT)

    assert (await loop.packet()).status is TaskPacketStatus.AVAILABLE
    assert after.decision == "deny"


async def test_a_stopped_buffer_means_every_record_is_written_before_the_answer(
    served: tuple[Loop, GuardFastPath],
) -> None:
    loop, fast = served
    stopped = GuardFastPath(fast.packets, DecisionBuffer(loop.store.unit_of_work))
    await check(loop, stopped, EDIT)

    second = await check(loop, stopped, EDIT)

    assert await logged(loop, second.decision_id) == "allow"


async def test_records_still_buffered_are_written_when_the_buffer_stops(
    database_url: str, clock: FakeClock, guard_engine: RegorusEngine
) -> None:
    engine = create_engine(database_url)
    try:
        store = SqlStore(engine, clock=clock, packet_cache=PacketCache(60))
        loop = await make_loop(store, clock, guard_engine)
        await claim_task_packet(
            store.unit_of_work(AGENT), loop.packet_id, clock=clock, lease_ttl=LEASE
        )
        buffer = DecisionBuffer(store.unit_of_work, interval_s=3600)
        fast = GuardFastPath(store.packet_cache, buffer)
        async with buffer.run():
            results = [await check(loop, fast, EDIT) for _ in range(5)]
            with pytest.raises(NotFound):
                await logged(loop, results[-1].decision_id)

        assert buffer.pending == 0
        assert [await logged(loop, r.decision_id) for r in results] == ["allow"] * 5
    finally:
        await engine.dispose()


async def test_a_flush_the_database_refuses_keeps_its_records_for_the_next(
    empty_database_url: str, clock: FakeClock, guard_engine: RegorusEngine
) -> None:
    from pearl_core.domain.decisions import DecisionRecord
    from pearl_core.store import migrate

    engine = create_engine(empty_database_url)
    try:
        store = SqlStore(engine, clock=clock)
        buffer = DecisionBuffer(store.unit_of_work, interval_s=3600)
        record = DecisionRecord.model_validate(_record(clock))
        async with buffer.run():
            assert buffer.offer(record)
            assert await buffer.flush() == 0  # no tables yet: store_unavailable
            assert buffer.pending == 1
            await migrate.upgrade(empty_database_url)
            assert await buffer.flush() == 1
        async with store.unit_of_work(OPERATOR) as uow:
            assert (await uow.decisions.get(record.decision_id)).decision == "allow"
    finally:
        await engine.dispose()


async def test_a_buffer_that_is_not_running_or_is_full_refuses_records(
    database_url: str, clock: FakeClock
) -> None:
    from pearl_core.domain.decisions import DecisionRecord

    engine = create_engine(database_url)
    try:
        buffer = DecisionBuffer(
            SqlStore(engine, clock=clock).unit_of_work, max_pending=1, interval_s=3600
        )
        record = DecisionRecord.model_validate(_record(clock))
        assert buffer.offer(record) is False  # not running: the caller writes it
        async with buffer.run():
            assert buffer.offer(record) is True
            assert buffer.offer(record) is False  # full: back-pressure, not loss
            assert buffer.pending == 1
            buffer.offer(record)
    finally:
        await engine.dispose()


class _HeldAtStart:
    """A real unit of work whose start waits until the test lets it go."""

    def __init__(self, inner: UnitOfWork, started: anyio.Event, go: anyio.Event) -> None:
        self._inner, self._started, self._go = inner, started, go

    async def __aenter__(self) -> _HeldAtStart:
        self._started.set()
        await self._go.wait()
        await self._inner.__aenter__()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._inner.__aexit__(*exc_info)  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)


async def test_stopping_during_a_flush_waits_for_it_and_loses_nothing(
    database_url: str, clock: FakeClock
) -> None:
    from pearl_core.domain.decisions import DecisionRecord

    engine = create_engine(database_url)
    try:
        store = SqlStore(engine, clock=clock)
        started, go = anyio.Event(), anyio.Event()
        buffer = DecisionBuffer(
            lambda principal: _HeldAtStart(store.unit_of_work(principal), started, go),  # type: ignore[arg-type,return-value]
            batch_size=1,
            interval_s=3600,
        )
        record = DecisionRecord.model_validate(_record(clock))

        async def let_it_finish() -> None:
            await anyio.sleep(0.05)
            go.set()

        async with anyio.create_task_group() as tasks, buffer.run():
            assert buffer.offer(record)  # a full batch: the loop starts writing
            await started.wait()
            tasks.start_soon(let_it_finish)
            # leaving run() while the write waits must not cut it off

        assert buffer.pending == 0
        async with store.unit_of_work(OPERATOR) as uow:
            assert (await uow.decisions.get(record.decision_id)).decision == "allow"
    finally:
        await engine.dispose()


def _record(clock: FakeClock) -> dict[str, object]:
    return {
        "decision_id": "dec_fastpathtest",
        "org_id": OPERATOR.org_id,
        "entrypoint": "pearl.guardrails.decision",
        "decision": "allow",
        "reasons": [],
        "result": {"decision": "allow"},
        "input": {},
        "input_hash": "0" * 64,
        "bundle_hash": "0" * 64,
        "principal_id": AGENT.subject_id,
        "principal_kind": PrincipalKind.SERVICE_ACCOUNT,
        "latency_us": 1.0,
        "eval_us": 1.0,
        "decided_at": clock.now(),
        "trace_id": "trace-test",
    }
