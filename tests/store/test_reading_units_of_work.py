"""``uow.reading()``: a unit of work opened for reads only, on the in-memory fake,
SQLite and PostgreSQL alike (``any_store``). It reads what is committed and
refuses every write, the audit log's included; on SQLite it takes no write
lock, so it never waits for a writer."""

from __future__ import annotations

import anyio
import pytest
import store_builders as b

from pearl_core.errors import IntegrityViolation
from pearl_core.store import SqlStore
from pearl_core.testing import InMemoryStore

pytestmark = pytest.mark.anyio

ME = b.principal("org_a")


async def _with_a_project(store: SqlStore | InMemoryStore) -> None:
    async with store.unit_of_work(ME) as uow:
        await uow.projects.add(b.project(1))
        await uow.audit.record("project.created", resource_type="project", resource_id="proj_1")
        await uow.commit()


async def test_it_reads_what_is_committed(any_store: SqlStore | InMemoryStore) -> None:
    await _with_a_project(any_store)

    async with any_store.unit_of_work(ME).reading() as uow:
        assert (await uow.projects.get("proj_1")).name == "Project 1"
        assert await uow.projects.count() == 1


async def test_it_refuses_a_write_and_stores_nothing(any_store: SqlStore | InMemoryStore) -> None:
    await _with_a_project(any_store)

    async with any_store.unit_of_work(ME).reading() as uow:
        with pytest.raises(IntegrityViolation, match="reads only"):
            await uow.projects.add(b.project(2))

    async with any_store.unit_of_work(ME) as uow:
        assert await uow.projects.count() == 1


async def test_it_refuses_an_audit_record(any_store: SqlStore | InMemoryStore) -> None:
    async with any_store.unit_of_work(ME).reading() as uow:
        with pytest.raises(IntegrityViolation, match="reads only"):
            await uow.audit.record("test.changed", resource_type="test", resource_id="t")


async def test_the_same_unit_of_work_opens_for_writing_afterwards(
    any_store: SqlStore | InMemoryStore,
) -> None:
    uow = any_store.unit_of_work(ME)
    async with uow.reading():
        pass

    async with uow:  # reading() lasts one transaction
        await uow.projects.add(b.project(1))
        await uow.audit.record("project.created", resource_type="project", resource_id="proj_1")
        await uow.commit()

    async with any_store.unit_of_work(ME).reading() as reader:
        assert await reader.projects.count() == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_on_sqlite_it_never_waits_for_a_writer(store: SqlStore, database_url: str) -> None:
    await _with_a_project(store)
    with b.other_sqlite_connection(database_url) as writer:
        writer.execute("BEGIN IMMEDIATE")  # a long write, say a large ingest
        with anyio.fail_after(1):  # well inside the 5 s busy timeout
            async with store.unit_of_work(ME).reading() as uow:
                assert await uow.projects.count() == 1
        writer.execute("ROLLBACK")
