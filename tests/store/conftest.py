"""Database fixtures: a fresh, migrated database per test, on SQLite and PostgreSQL.

Written to move to ``tests/conftest.py`` unchanged once other folders need them:

``database_url``
    URL of a fresh database migrated to head, parametrised over ``sqlite`` and
    ``postgres``. PostgreSQL cases need ``PEARL_TEST_POSTGRES_URL`` (a server
    URL, e.g. ``postgresql+asyncpg://postgres@127.0.0.1:5432/postgres``): unset,
    they skip and say why; set but unreachable, they fail.
``empty_database_url``
    The same, but with no schema at all (for migration tests).
``clock``
    A :class:`FakeClock`; ``store`` uses it.
``engine`` / ``store``
    PeaRL's engine and :class:`SqlStore` over ``database_url``, disposed after
    the test.

Each test gets its own database, copied from a template migrated once per
session (a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on
PostgreSQL), so tests never see each other's rows.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from pearl_core.store import SqlStore, create_engine, migrate
from pearl_core.testing.clock import FakeClock

POSTGRES_ENV = "PEARL_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]

T = TypeVar("T")


def run_isolated(work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work`` on its own event loop in a worker thread (for sync fixtures)."""

    async def main() -> T:
        return await work()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result()


def _database_url(server_url: str, database: str) -> str:
    return make_url(server_url).set(database=database).render_as_string(hide_password=False)


def _admin(server_url: str, *statements: str) -> None:
    dsn = make_url(server_url).set(drivername="postgresql").render_as_string(hide_password=False)

    async def run() -> None:
        connection = await asyncpg.connect(dsn, timeout=10)
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    try:
        run_isolated(run)
    except OSError as exc:
        pytest.fail(f"{POSTGRES_ENV} is set but the server is unreachable: {exc}")


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(
            f"{POSTGRES_ENV} is not set; PostgreSQL store tests need a server URL such as "
            "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
        )
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pearl-template") / "pearl.db"
    run_isolated(lambda: migrate.upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_server_url: str) -> Iterator[str]:
    name = f"pearl_template_{secrets.token_hex(4)}"
    _admin(postgres_server_url, f'CREATE DATABASE "{name}"')
    try:
        run_isolated(lambda: migrate.upgrade(_database_url(postgres_server_url, name)))
        yield name
    finally:
        _admin(postgres_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _fresh_postgres(server_url: str, template: str | None) -> Iterator[str]:
    name = f"pearl_test_{secrets.token_hex(6)}"
    source = f' TEMPLATE "{template}"' if template else ""
    _admin(server_url, f'CREATE DATABASE "{name}"{source}')
    try:
        yield _database_url(server_url, name)
    finally:
        _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database migrated to head."""
    if request.param == "sqlite":
        path = tmp_path / "pearl.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    server = request.getfixturevalue("postgres_server_url")
    yield from _fresh_postgres(server, request.getfixturevalue("postgres_template"))


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database with no schema."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    yield from _fresh_postgres(request.getfixturevalue("postgres_server_url"), None)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def store(engine: AsyncEngine, clock: FakeClock) -> SqlStore:
    return SqlStore(engine, clock=clock)
