"""Engine settings: SQLite pragmas, write transactions that begin IMMEDIATE, UTC timestamps."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import anyio
import pytest
import store_builders as b
from sqlalchemy import Column, MetaData, Table, select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncEngine

from pearl_core.errors import ConfigurationError
from pearl_core.store import SqlStore, create_engine
from pearl_core.store.engine import SQLITE_BUSY_TIMEOUT_MS
from pearl_core.store.types import UtcDateTime

pytestmark = pytest.mark.anyio

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@SQLITE_ONLY
async def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as connection:
        pragma = {
            name: (await connection.execute(text(f"PRAGMA {name}"))).scalar_one()
            for name in ("journal_mode", "foreign_keys", "busy_timeout")
        }

    assert pragma == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": SQLITE_BUSY_TIMEOUT_MS,
    }


@SQLITE_ONLY
async def test_a_sqlite_unit_of_work_holds_the_write_lock_from_its_start(
    store: SqlStore, database_url: str
) -> None:
    with b.other_sqlite_connection(database_url) as other:
        async with store.unit_of_work(b.principal()):
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")


@SQLITE_ONLY
async def test_authentication_reads_and_the_health_check_never_wait_for_a_writer(
    store: SqlStore, database_url: str
) -> None:
    with b.other_sqlite_connection(database_url) as writer:
        writer.execute("BEGIN IMMEDIATE")  # a long write, say a large ingest
        with anyio.fail_after(1):  # well inside the 5 s busy timeout
            await store.ping()
            assert await store.credentials.api_key("pk_unknown") is None
            assert await store.credentials.user_logins("nobody@example.com") == []
        writer.execute("ROLLBACK")


@SQLITE_ONLY
async def test_a_unit_of_work_cancelled_while_waiting_for_the_write_lock_leaves_nothing_held(
    store: SqlStore, database_url: str
) -> None:
    waiting = anyio.CancelScope()

    async def wait_for_the_lock() -> None:
        with waiting:
            async with store.unit_of_work(b.principal()):
                pytest.fail("the unit of work started while another writer held the lock")

    with b.other_sqlite_connection(database_url) as other:
        other.execute("BEGIN IMMEDIATE")
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(wait_for_the_lock)
            await anyio.sleep(0.2)  # its BEGIN IMMEDIATE is now waiting on the lock
            waiting.cancel()
            other.execute("ROLLBACK")  # the cancelled BEGIN may now go through

        teardowns = _connection_teardowns()  # the driver's, of the cancelled connection
        if teardowns:
            _, unfinished = await asyncio.wait(teardowns, timeout=5)
            assert not unfinished, "the cancelled connection's teardown never ends"
        assert store.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
        other.execute("BEGIN IMMEDIATE")  # nobody kept the write lock
        other.execute("ROLLBACK")


def _connection_teardowns() -> list[asyncio.Task[object]]:
    return [t for t in asyncio.all_tasks() if "_terminate_graceful_close" in repr(t.get_coro())]


@pytest.mark.parametrize(
    "url",
    [
        "mysql+aiomysql://db/pearl",
        "sqlite:///pearl.db",
        "postgresql://db/pearl",
        "sqlite+aiosqlite:///pearl.db?mode=ro",
        "not a url",
    ],
)
def test_only_the_two_async_drivers_are_accepted(url: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        create_engine(url)
    assert caught.value.code == "configuration_error"


async def test_timestamps_come_back_as_the_same_instant_in_utc(engine: AsyncEngine) -> None:
    table = Table("timestamps_probe", MetaData(), Column("at", UtcDateTime, nullable=False))
    when = datetime(
        2025, 6, 30, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=5, minutes=30))
    )

    async with engine.connect() as connection:
        await connection.run_sync(table.metadata.create_all)
        await connection.execute(table.insert().values(at=when))
        stored = (await connection.execute(select(table.c.at))).scalar_one()
        await connection.rollback()

    assert stored == when
    assert stored.utcoffset() == timedelta(0)
    assert stored == datetime(2025, 6, 30, 18, 29, 59, 999999, tzinfo=UTC)


async def test_naive_timestamps_are_never_stored(engine: AsyncEngine) -> None:
    table = Table("timestamps_probe", MetaData(), Column("at", UtcDateTime, nullable=False))

    async with engine.connect() as connection:
        await connection.run_sync(table.metadata.create_all)
        with pytest.raises(StatementError) as caught:
            await connection.execute(table.insert().values(at=datetime(2025, 1, 1)))
        await connection.rollback()

    assert isinstance(caught.value.orig, ValueError)
