"""Findings in the SQL store: one per fingerprint per project environment."""

from __future__ import annotations

import pytest
import store_builders as b

from pearl_core.domain.enums import Environment, FindingStatus, RiskLevel
from pearl_core.errors import AlreadyExists, FindingNotFound, ProjectNotFound
from pearl_core.ports import UnitOfWork
from pearl_core.store import SqlStore
from pearl_core.store.repositories import SqlFindingRepository

pytestmark = pytest.mark.anyio

ME = b.principal("org_a")
P, Q = "proj_1", "proj_2"
DEV, PROD = Environment.DEV, Environment.PROD
OPEN, TRIAGED, FIXED = FindingStatus.OPEN, FindingStatus.TRIAGED, FindingStatus.FIXED_VERIFIED


@pytest.fixture
async def seeded(store: SqlStore) -> SqlStore:
    """Two projects; five findings across them, their environments and statuses."""

    async def seed(uow: UnitOfWork) -> None:
        await uow.projects.add(b.project(1))
        await uow.projects.add(b.project(2))
        await uow.findings.add(b.finding(P, 1))
        await uow.findings.add(b.finding(P, 2, status=TRIAGED))
        await uow.findings.add(b.finding(P, 3, environment=PROD))
        await uow.findings.add(b.finding(Q, 4, status=FIXED))
        await uow.findings.add(b.finding(Q, 5))

    await b.committed(store, ME, seed)
    return store


async def test_a_finding_reads_back_as_stored(seeded: SqlStore) -> None:
    assert await b.read(seeded, ME, lambda u: u.findings.get("find_2")) == b.finding(
        P, 2, status=TRIAGED
    )
    with pytest.raises(FindingNotFound):
        await b.read(seeded, ME, lambda u: u.findings.get("find_9"))


async def test_a_finding_is_found_by_its_fingerprint(seeded: SqlStore) -> None:
    found = await b.read(seeded, ME, lambda u: u.findings.by_fingerprint(P, PROD, "fp_3"))

    assert found == b.finding(P, 3, environment=PROD)
    assert await b.read(seeded, ME, lambda u: u.findings.by_fingerprint(P, DEV, "fp_3")) is None


async def test_a_fingerprint_is_unique_per_project_environment(seeded: SqlStore) -> None:
    with pytest.raises(AlreadyExists):
        await b.committed(seeded, ME, lambda u: u.findings.add(b.finding(P, 6, fingerprint="fp_1")))
    with pytest.raises(AlreadyExists):
        await b.committed(seeded, ME, lambda u: u.findings.add(b.finding(Q, 1, fingerprint="x")))

    await b.committed(
        seeded, ME, lambda u: u.findings.add(b.finding(P, 6, fingerprint="fp_1", environment=PROD))
    )


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["find_1", "find_2", "find_3", "find_4", "find_5"]),
        ({"project_id": P}, ["find_1", "find_2", "find_3"]),
        ({"project_id": P, "environment": DEV}, ["find_1", "find_2"]),
        ({"environment": PROD}, ["find_3"]),
        ({"statuses": [OPEN]}, ["find_1", "find_3", "find_5"]),
        ({"statuses": [TRIAGED, FIXED]}, ["find_2", "find_4"]),
        ({"project_id": Q, "statuses": [OPEN]}, ["find_5"]),
        ({"statuses": []}, []),
    ],
)
async def test_findings_are_listed_and_counted_by_project_environment_and_status(
    seeded: SqlStore, filters: dict[str, object], expected: list[str]
) -> None:
    listed = await b.read(seeded, ME, lambda u: u.findings.list(**filters))  # type: ignore[arg-type]
    counted = await b.read(seeded, ME, lambda u: u.findings.count(**filters))  # type: ignore[arg-type]

    assert [f.finding_id for f in listed] == expected
    assert counted == len(expected)


async def test_findings_are_paged(seeded: SqlStore) -> None:
    page = await b.read(seeded, ME, lambda u: u.findings.list(limit=2, offset=1))

    assert [f.finding_id for f in page] == ["find_2", "find_3"]


async def test_an_update_changes_the_finding_and_what_it_is_filtered_by(seeded: SqlStore) -> None:
    triaged = b.finding(P, 1, status=TRIAGED, severity=RiskLevel.CRITICAL, status_reason="real")

    await b.committed(seeded, ME, lambda u: u.findings.update(triaged))

    assert await b.read(seeded, ME, lambda u: u.findings.get("find_1")) == triaged
    still_open = await b.read(seeded, ME, lambda u: u.findings.count(project_id=P, statuses=[OPEN]))
    assert still_open == 1
    with pytest.raises(FindingNotFound):
        await b.committed(seeded, ME, lambda u: u.findings.update(b.finding(P, 9)))


def _bulk(uow: UnitOfWork) -> SqlFindingRepository:
    assert isinstance(uow.findings, SqlFindingRepository)
    return uow.findings


async def test_findings_are_added_in_bulk(seeded: SqlStore) -> None:
    batch = [b.finding(Q, n) for n in range(10, 60)]

    await b.committed(seeded, ME, lambda u: _bulk(u).add_many(batch))

    assert await b.read(seeded, ME, lambda u: u.findings.count(project_id=Q)) == 52
    assert await b.read(seeded, ME, lambda u: u.findings.get("find_42")) == b.finding(Q, 42)


async def test_a_bulk_add_with_a_taken_fingerprint_stores_none_of_the_batch(
    seeded: SqlStore,
) -> None:
    batch = [b.finding(Q, 10), b.finding(Q, 11, fingerprint="fp_5"), b.finding(Q, 12)]

    async def add_batch_then_another(uow: UnitOfWork) -> None:
        with pytest.raises(AlreadyExists) as caught:
            await _bulk(uow).add_many(batch)
        assert caught.value.details["ids"] == ["find_11"]
        await uow.findings.add(b.finding(Q, 13))

    await b.committed(seeded, ME, add_batch_then_another)

    stored = await b.read(seeded, ME, lambda u: u.findings.list(project_id=Q))
    assert {f.finding_id for f in stored} == {"find_4", "find_5", "find_13"}


async def test_a_bulk_add_with_a_duplicate_inside_the_batch_is_already_exists(
    seeded: SqlStore,
) -> None:
    batch = [b.finding(Q, 10, fingerprint="same"), b.finding(Q, 11, fingerprint="same")]

    with pytest.raises(AlreadyExists):
        await b.committed(seeded, ME, lambda u: _bulk(u).add_many(batch))
    assert await b.read(seeded, ME, lambda u: u.findings.count(project_id=Q)) == 2


async def test_a_bulk_add_for_a_missing_project_is_project_not_found(seeded: SqlStore) -> None:
    async def add_orphans_then_another(uow: UnitOfWork) -> None:
        with pytest.raises(ProjectNotFound) as caught:
            await _bulk(uow).add_many([b.finding(Q, 10), b.finding("proj_x", 12)])
        assert caught.value.details["id"] == "proj_x"
        await uow.findings.add(b.finding(Q, 11))

    await b.committed(seeded, ME, add_orphans_then_another)

    assert await b.read(seeded, ME, lambda u: u.findings.count(project_id=Q)) == 3
