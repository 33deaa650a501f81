"""Migrations build the schema from nothing, and ``check`` catches drift from tables.py."""

from __future__ import annotations

import anyio
import pytest
from sqlalchemy import inspect, text

from pearl_core.errors import ConfigurationError, StoreUnavailable
from pearl_core.store import create_engine, migrate
from pearl_core.store.tables import metadata

pytestmark = pytest.mark.anyio


async def _table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def test_upgrade_builds_every_table_of_an_empty_database(empty_database_url: str) -> None:
    await migrate.upgrade(empty_database_url)

    assert await _table_names(empty_database_url) == {*metadata.tables, "alembic_version"}


async def test_a_migrated_database_has_no_drift_from_the_tables(empty_database_url: str) -> None:
    await migrate.upgrade(empty_database_url)

    await anyio.to_thread.run_sync(migrate.check, empty_database_url)


async def test_upgrading_an_upgraded_database_changes_nothing(database_url: str) -> None:
    await migrate.upgrade(database_url)

    await anyio.to_thread.run_sync(migrate.check, database_url)


async def test_check_reports_drift_between_the_database_and_the_tables(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP INDEX ix_findings_org_id_status"))
    finally:
        await engine.dispose()

    with pytest.raises(ConfigurationError) as caught:
        await anyio.to_thread.run_sync(migrate.check, database_url)
    assert "ix_findings_org_id_status" in caught.value.details["diff"]


async def test_upgrading_an_unreachable_database_is_store_unavailable() -> None:
    with pytest.raises(StoreUnavailable):
        await migrate.upgrade("postgresql+asyncpg://postgres@127.0.0.1:1/pearl")
