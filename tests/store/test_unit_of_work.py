"""The SQL unit of work: one transaction, rolled back unless committed, audited writes only."""

from __future__ import annotations

from pathlib import Path

import pytest
import store_builders as b
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from pearl_core.errors import Conflict, IntegrityViolation, ProjectNotFound, StoreUnavailable
from pearl_core.ports import UnitOfWork
from pearl_core.store import SqlStore, create_engine
from pearl_core.testing.clock import FakeClock

pytestmark = pytest.mark.anyio

ME = b.principal("org_a")


async def _project_count(store: SqlStore) -> int:
    async with store.unit_of_work(ME) as uow:
        return await uow.projects.count()


async def test_committed_changes_are_visible_to_the_next_unit_of_work(store: SqlStore) -> None:
    await b.committed(store, ME, lambda uow: uow.projects.add(b.project(1)))

    async with store.unit_of_work(ME) as uow:
        assert (await uow.projects.get("proj_1")).name == "Project 1"


async def test_an_exception_inside_the_unit_of_work_stores_nothing(store: SqlStore) -> None:
    class Boom(Exception):
        pass

    async def add_then_fail() -> None:
        async with store.unit_of_work(ME) as uow:
            await uow.projects.add(b.project(1))
            await uow.audit.record("project.created", resource_type="project", resource_id="p")
            raise Boom

    with pytest.raises(Boom):
        await add_then_fail()

    assert await _project_count(store) == 0
    async with store.unit_of_work(ME) as uow:
        assert await uow.audit.head() == (0, "0" * 64)


async def test_leaving_without_commit_stores_nothing(store: SqlStore) -> None:
    async with store.unit_of_work(ME) as uow:
        await uow.projects.add(b.project(1))
        await uow.audit.record("project.created", resource_type="project", resource_id="p")

    assert await _project_count(store) == 0


async def test_commit_after_an_unaudited_write_is_refused_and_stores_nothing(
    store: SqlStore,
) -> None:
    async with store.unit_of_work(ME) as uow:
        await uow.projects.add(b.project(1))
        with pytest.raises(IntegrityViolation) as caught:
            await uow.commit()

    assert caught.value.code == "integrity_violation"
    assert await _project_count(store) == 0


async def test_commit_without_writes_needs_no_audit_record(store: SqlStore) -> None:
    async with store.unit_of_work(ME) as uow:
        assert await uow.projects.count() == 0
        await uow.commit()


async def test_explicit_rollback_discards_writes_and_their_audit_records(store: SqlStore) -> None:
    async with store.unit_of_work(ME) as uow:
        await uow.projects.add(b.project(1))
        await uow.audit.record("project.created", resource_type="project", resource_id="p")
        await uow.rollback()
        await uow.commit()

    assert await _project_count(store) == 0


async def test_work_after_a_commit_needs_its_own_audit_record(store: SqlStore) -> None:
    async with store.unit_of_work(ME) as uow:
        await uow.projects.add(b.project(1))
        await uow.audit.record("project.created", resource_type="project", resource_id="p1")
        await uow.commit()
        await uow.projects.add(b.project(2))
        with pytest.raises(IntegrityViolation):
            await uow.commit()

    assert await _project_count(store) == 1


async def test_a_failed_write_aborts_the_unit_of_work_without_storing_anything(
    store: SqlStore,
) -> None:
    async def add_project_and_orphan_finding(uow: UnitOfWork) -> None:
        await uow.projects.add(b.project(1))
        await uow.findings.add(b.finding("proj_missing"))

    with pytest.raises(ProjectNotFound):
        await b.committed(store, ME, add_project_and_orphan_finding)

    assert await _project_count(store) == 0


async def test_repositories_refuse_work_outside_async_with(store: SqlStore) -> None:
    uow = store.unit_of_work(ME)
    with pytest.raises(RuntimeError):
        await uow.projects.count()


async def test_ping_answers_on_a_live_database(store: SqlStore) -> None:
    await store.ping()


async def test_an_unreachable_postgres_server_is_store_unavailable(clock: FakeClock) -> None:
    store = SqlStore(create_engine("postgresql+asyncpg://postgres@127.0.0.1:1/x"), clock=clock)
    try:
        with pytest.raises(StoreUnavailable) as caught:
            async with store.unit_of_work(ME):
                pass
        assert caught.value.code == "store_unavailable"
        with pytest.raises(StoreUnavailable):
            await store.ping()
    finally:
        await store.dispose()


async def test_an_unopenable_sqlite_file_is_store_unavailable(
    tmp_path: Path, clock: FakeClock
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'missing-dir' / 'pearl.db'}"
    store = SqlStore(create_engine(url), clock=clock)
    try:
        with pytest.raises(StoreUnavailable):
            async with store.unit_of_work(ME):
                pass
    finally:
        await store.dispose()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_a_connection_lost_mid_unit_of_work_is_store_unavailable(
    store: SqlStore, engine: AsyncEngine
) -> None:
    async def lose_connection_then_write() -> None:
        async with store.unit_of_work(ME) as uow:
            await uow.projects.count()
            async with engine.connect() as killer:
                await killer.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
            await uow.projects.add(b.project(1))

    with pytest.raises(StoreUnavailable):
        await lose_connection_then_write()
    assert await _project_count(store) == 0


@pytest.mark.postgres
async def test_a_missing_postgres_database_is_store_unavailable(
    postgres_server_url: str, clock: FakeClock
) -> None:
    url = make_url(postgres_server_url).set(database="pearl_no_such_database")
    store = SqlStore(create_engine(url.render_as_string(hide_password=False)), clock=clock)
    try:
        with pytest.raises(StoreUnavailable):
            await store.ping()
    finally:
        await store.dispose()


async def test_a_missing_parent_leaves_the_unit_of_work_usable_on_every_engine(
    store: SqlStore,
) -> None:
    async def orphan_then_project(uow: UnitOfWork) -> None:
        with pytest.raises(ProjectNotFound):
            await uow.findings.add(b.finding("proj_1"))
        await uow.projects.add(b.project(1))

    await b.committed(store, ME, orphan_then_project)

    assert await _project_count(store) == 1


async def test_after_a_rejected_statement_the_unit_of_work_can_only_roll_back(
    store: SqlStore,
) -> None:
    async def add_users(uow: UnitOfWork) -> None:
        await uow.users.add(b.user("org_a", 1))
        await uow.users.add(b.user("org_a", 2))

    await b.committed(store, ME, add_users)

    async with store.unit_of_work(ME) as uow:
        await uow.projects.add(b.project(1))
        with pytest.raises(Conflict):
            await uow.users.update(b.user("org_a", 2, email="user1@example.com"))
        with pytest.raises(IntegrityViolation):
            await uow.audit.record("user.updated", resource_type="user", resource_id="usr_2")
        with pytest.raises(IntegrityViolation):
            await uow.commit()

    assert await _project_count(store) == 0
