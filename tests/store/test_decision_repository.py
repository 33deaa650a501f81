"""The decision log repository, on the in-memory fake, SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pearl_core.domain.decisions import DecisionRecord
from pearl_core.domain.enums import PrincipalKind
from pearl_core.errors import AlreadyExists, Forbidden, IntegrityViolation, NotFound
from pearl_core.ports import UnitOfWorkFactory
from pearl_core.testing import make_principal, make_project

pytestmark = pytest.mark.anyio

ORG_A, ORG_B = "org_alpha", "org_beta"
ALICE = make_principal(org_id=ORG_A)
BOB = make_principal(org_id=ORG_B)
T0 = datetime(2025, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
GUARD, GATE = "pearl.guardrails.decision", "pearl.gate.decision"


def record(
    n: int, *, at: datetime = T0, entrypoint: str = GUARD, **overrides: Any
) -> DecisionRecord:
    fields: dict[str, Any] = {
        "decision_id": f"dec_{n:04d}",
        "org_id": ORG_A,
        "entrypoint": entrypoint,
        "decision": "deny",
        "reasons": [{"rule_id": "guardrails.rules.protected_paths", "message": "no"}],
        "result": {"decision": "deny", "reasons": [], "extra": {"n": n}},
        "input": {"path": ".git/config", "token": "***"},
        "input_hash": "a" * 64,
        "bundle_hash": "b" * 64,
        "data_versions": {"environment_profile/envp_dev": "2"},
        "principal_id": "sa_agent",
        "principal_kind": PrincipalKind.SERVICE_ACCOUNT,
        "latency_us": 180.5,
        "eval_us": 120.25,
        "decided_at": at,
        "trace_id": "trc_0123456789abcdef",
    }
    return DecisionRecord(**(fields | overrides))


async def add(store: UnitOfWorkFactory, *records: DecisionRecord) -> None:
    async with store.unit_of_work(ALICE) as uow:
        for item in records:
            await uow.decisions.add(item)
        await uow.commit()


async def ids(store: UnitOfWorkFactory, since: datetime = T0, **options: Any) -> list[str]:
    async with store.unit_of_work(ALICE) as uow:
        return [r.decision_id async for r in uow.decisions.since(since, **options)]


async def test_a_logged_decision_reads_back_exactly(any_store: UnitOfWorkFactory) -> None:
    await add(any_store, record(1))

    async with any_store.unit_of_work(ALICE) as uow:
        assert await uow.decisions.get("dec_0001") == record(1)


async def test_a_decision_id_is_logged_once(any_store: UnitOfWorkFactory) -> None:
    await add(any_store, record(1))

    with pytest.raises(AlreadyExists) as caught:
        await add(any_store, record(1, decision="allow"))

    assert caught.value.code == "already_exists"


async def test_committing_only_decision_records_needs_no_audit_event(
    any_store: UnitOfWorkFactory,
) -> None:
    await add(any_store, record(1), record(2))

    assert await ids(any_store) == ["dec_0001", "dec_0002"]


async def test_a_state_change_beside_a_decision_still_needs_its_audit_event(
    any_store: UnitOfWorkFactory,
) -> None:
    async with any_store.unit_of_work(ALICE) as uow:
        await uow.decisions.add(record(1))
        await uow.projects.add(make_project())
        with pytest.raises(IntegrityViolation) as caught:
            await uow.commit()

    assert caught.value.code == "integrity_violation"
    assert await ids(any_store) == []


async def test_decisions_not_committed_are_not_kept(any_store: UnitOfWorkFactory) -> None:
    async with any_store.unit_of_work(ALICE) as uow:
        await uow.decisions.add(record(1))

    assert await ids(any_store) == []


async def test_another_orgs_decisions_look_missing_and_cannot_be_written(
    any_store: UnitOfWorkFactory,
) -> None:
    await add(any_store, record(1))

    async with any_store.unit_of_work(BOB) as uow:
        with pytest.raises(NotFound) as missing:
            await uow.decisions.get("dec_0001")
        assert [r async for r in uow.decisions.since(T0)] == []
        with pytest.raises(Forbidden) as foreign:
            await uow.decisions.add(record(2))
    assert (missing.value.code, foreign.value.code) == ("not_found", "forbidden")


async def test_since_streams_in_time_then_id_order_from_its_start(
    any_store: UnitOfWorkFactory,
) -> None:
    later = T0 + timedelta(seconds=1)
    await add(
        any_store,
        record(5, at=later),
        record(3, at=T0),
        record(1, at=T0 - timedelta(microseconds=1)),
        record(4, at=T0, entrypoint=GATE),
        record(2, at=later, entrypoint=GATE),
    )

    assert await ids(any_store) == ["dec_0003", "dec_0004", "dec_0002", "dec_0005"]
    assert await ids(any_store, batch_size=1) == ["dec_0003", "dec_0004", "dec_0002", "dec_0005"]
    assert await ids(any_store, T0 - timedelta(days=1), limit=2, batch_size=1) == [
        "dec_0001",
        "dec_0003",
    ]
    assert await ids(any_store, entrypoint=GATE) == ["dec_0004", "dec_0002"]
    assert await ids(any_store, later) == ["dec_0002", "dec_0005"]
    assert await ids(any_store, limit=0) == await ids(any_store, limit=-1) == []
    assert await ids(any_store, batch_size=0) == ["dec_0003", "dec_0004", "dec_0002", "dec_0005"]


async def test_since_resumes_after_the_last_record_seen(any_store: UnitOfWorkFactory) -> None:
    later = T0 + timedelta(seconds=1)
    await add(any_store, record(1), record(2), record(3, at=later), record(4, at=later))

    assert await ids(any_store, T0, after_id="dec_0001") == ["dec_0002", "dec_0003", "dec_0004"]
    assert await ids(any_store, T0, after_id="dec_0002", limit=1) == ["dec_0003"]
    assert await ids(any_store, later, after_id="dec_0004") == []
