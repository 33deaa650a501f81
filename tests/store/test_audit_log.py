"""The SQL audit log: sealed, chained, append-only, and verifiable after tampering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import anyio
import pytest
import store_builders as b
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from pearl_core.audit.chain import ChainReport, averify_chain
from pearl_core.domain.audit import GENESIS_HASH, AuditEvent, AuditOutcome
from pearl_core.domain.enums import PrincipalKind
from pearl_core.domain.identity import Principal
from pearl_core.errors import AuditChainBroken
from pearl_core.store import SqlStore
from pearl_core.testing.clock import FakeClock
from pearl_core.trace import trace_scope

pytestmark = pytest.mark.anyio

ME = b.principal("org_a")


async def _record(store: SqlStore, count: int, who: Principal = ME) -> list[AuditEvent]:
    async with store.unit_of_work(who) as uow:
        events = [
            await uow.audit.record(
                "thing.changed", resource_type="thing", resource_id=f"t{n}", details={"n": n}
            )
            for n in range(1, count + 1)
        ]
        await uow.commit()
    return events


async def _events(store: SqlStore, after_seq: int = 0, batch_size: int = 1000) -> list[AuditEvent]:
    async with store.unit_of_work(ME) as uow:
        return [e async for e in uow.audit.events(after_seq=after_seq, batch_size=batch_size)]


async def _verify(store: SqlStore) -> ChainReport:
    async with store.unit_of_work(ME) as uow:
        head = await uow.audit.head()
        return await averify_chain(uow.audit.events(batch_size=2), head)


async def _tamper(engine: AsyncEngine, *statements: str) -> None:
    """Run ``statements`` with the append-only triggers out of the way."""
    async with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            await connection.execute(text("DROP TRIGGER audit_events_no_update"))
            await connection.execute(text("DROP TRIGGER audit_events_no_delete"))
        else:
            await connection.execute(text("SET LOCAL session_replication_role = replica"))
        for statement in statements:
            await connection.execute(text(statement))
        await connection.commit()


async def test_recorded_events_are_sealed_chained_and_attributed(
    store: SqlStore, clock: FakeClock
) -> None:
    clock.set(datetime(2025, 3, 1, 12, 0, 0, 654321, tzinfo=timezone(timedelta(hours=2))))
    with trace_scope("trc_audit_test_1"):
        first, second = await _record(store, 2)

    assert (first.seq, first.prev_hash) == (1, GENESIS_HASH)
    assert (second.seq, second.prev_hash) == (2, first.hash)
    assert first.hash == first.expected_hash()
    assert (first.actor_id, first.actor_kind) == ("usr_operator", PrincipalKind.HUMAN)
    assert first.trace_id == "trc_audit_test_1"
    assert first.outcome is AuditOutcome.SUCCESS
    assert first.occurred_at == datetime(2025, 3, 1, 10, 0, 0, 654321, tzinfo=UTC)
    assert await _events(store) == [first, second]


async def test_stored_events_read_back_exactly_with_utc_microseconds(
    store: SqlStore, clock: FakeClock
) -> None:
    clock.set(datetime(2025, 3, 1, 23, 59, 59, 123456, tzinfo=timezone(timedelta(hours=-5))))
    [event] = await _record(store, 1)

    [stored] = await _events(store)

    assert stored == event
    assert stored.occurred_at.utcoffset() == timedelta(0)
    assert stored.occurred_at.microsecond == 123456


async def test_details_are_stored_as_the_json_they_were_sealed_as(store: SqlStore) -> None:
    when = datetime(2025, 1, 1, tzinfo=UTC)
    async with store.unit_of_work(ME) as uow:
        event = await uow.audit.record(
            "thing.changed",
            resource_type="thing",
            resource_id="t",
            outcome=AuditOutcome.DENIED,
            details={"at": when, "ratio": 0.5, "ids": ("a", "b")},
        )
        await uow.commit()

    [stored] = await _events(store)
    assert stored == event
    assert stored.details == {"at": "2025-01-01T00:00:00Z", "ratio": 0.5, "ids": ["a", "b"]}


async def test_events_stream_in_batches_after_a_sequence_number(store: SqlStore) -> None:
    await _record(store, 5)

    assert [e.seq for e in await _events(store, batch_size=2)] == [1, 2, 3, 4, 5]
    assert [e.seq for e in await _events(store, after_seq=3, batch_size=2)] == [4, 5]


async def test_an_empty_log_has_the_genesis_head(store: SqlStore) -> None:
    async with store.unit_of_work(ME) as uow:
        assert await uow.audit.head() == (0, GENESIS_HASH)
        assert [e async for e in uow.audit.events()] == []


async def test_each_org_has_its_own_chain(store: SqlStore) -> None:
    other = b.principal("org_b")
    await _record(store, 3)
    [theirs] = await _record(store, 1, other)

    assert (theirs.seq, theirs.prev_hash) == (1, GENESIS_HASH)
    async with store.unit_of_work(other) as uow:
        assert await uow.audit.head() == (1, theirs.hash)
        assert [e.event_id async for e in uow.audit.events()] == [theirs.event_id]


async def test_an_untampered_log_verifies(store: SqlStore) -> None:
    await _record(store, 5)

    assert await _verify(store) == ChainReport(ok=True, checked=5)


async def test_verification_detects_an_edited_event(store: SqlStore, engine: AsyncEngine) -> None:
    await _record(store, 5)
    await _tamper(
        engine, "UPDATE audit_events SET details = '{\"n\": 20}' WHERE org_id = 'org_a' AND seq = 2"
    )

    assert await _verify(store) == ChainReport(False, 1, 2, "hash_mismatch")


async def test_verification_detects_a_deleted_event(store: SqlStore, engine: AsyncEngine) -> None:
    await _record(store, 5)
    await _tamper(engine, "DELETE FROM audit_events WHERE org_id = 'org_a' AND seq = 3")

    assert await _verify(store) == ChainReport(False, 2, 3, "sequence_gap")


async def test_verification_detects_reordered_events(store: SqlStore, engine: AsyncEngine) -> None:
    await _record(store, 5)
    where = "WHERE org_id = 'org_a' AND seq ="
    await _tamper(
        engine,
        f"UPDATE audit_events SET seq = 100 {where} 2",
        f"UPDATE audit_events SET seq = 2 {where} 3",
        f"UPDATE audit_events SET seq = 3 {where} 100",
    )

    assert await _verify(store) == ChainReport(False, 1, 2, "broken_link")


async def test_verification_detects_a_truncated_tail(store: SqlStore, engine: AsyncEngine) -> None:
    await _record(store, 5)
    await _tamper(engine, "DELETE FROM audit_events WHERE org_id = 'org_a' AND seq >= 4")

    assert await _verify(store) == ChainReport(False, 3, 4, "head_mismatch")


async def test_a_malformed_stored_event_is_audit_chain_broken(
    store: SqlStore, engine: AsyncEngine
) -> None:
    await _record(store, 2)
    await _tamper(engine, "UPDATE audit_events SET actor_kind = 'robot' WHERE seq = 2")

    with pytest.raises(AuditChainBroken) as caught:
        await _verify(store)
    assert caught.value.details["seq"] == 2


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET resource_id = 'forged' WHERE seq = 1",
        "DELETE FROM audit_events WHERE seq = 1",
    ],
    ids=["update", "delete"],
)
async def test_the_database_rejects_changes_to_audit_events(
    store: SqlStore, engine: AsyncEngine, statement: str
) -> None:
    await _record(store, 1)

    with pytest.raises(IntegrityError, match="append-only"):
        async with engine.begin() as connection:
            await connection.execute(text(statement))

    assert await _verify(store) == ChainReport(ok=True, checked=1)


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_postgres_rejects_truncating_the_audit_log(
    store: SqlStore, engine: AsyncEngine
) -> None:
    await _record(store, 1)

    with pytest.raises(IntegrityError, match="append-only"):
        async with engine.begin() as connection:
            await connection.execute(text("TRUNCATE audit_events"))


async def test_concurrent_appends_form_one_unbroken_chain(store: SqlStore) -> None:
    async def append(n: int) -> None:
        async with store.unit_of_work(ME) as uow:
            await uow.projects.add(b.project(n))
            await uow.audit.record("project.created", resource_type="project", resource_id=str(n))
            await uow.commit()

    with anyio.fail_after(60):
        async with anyio.create_task_group() as group:
            for n in range(20):
                group.start_soon(append, n)

    assert await _verify(store) == ChainReport(ok=True, checked=20)
    async with store.unit_of_work(ME) as uow:
        assert (await uow.audit.head())[0] == 20
        assert await uow.projects.count() == 20
