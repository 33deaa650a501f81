"""Shared fixtures: the anyio backend, the shared contract and corpus, and databases.

Databases are fresh and migrated per test, on SQLite and PostgreSQL:

``database_url``
    URL of a fresh database migrated to head, parametrised over ``sqlite`` and
    ``postgres``. PostgreSQL cases need ``PEARL_TEST_POSTGRES_URL`` (a server
    URL, e.g. ``postgresql+asyncpg://postgres@127.0.0.1:5432/postgres``): unset,
    they skip and say why; set but unreachable, they fail.
``empty_database_url``
    The same, but with no schema at all (for migration tests).
``clock``
    A :class:`FakeClock`; ``store`` and ``any_store`` use it.
``engine`` / ``store``
    PeaRL's engine and :class:`SqlStore` over ``database_url``, disposed after
    the test.
``any_store``
    A unit-of-work factory parametrised over ``memory`` (the
    :class:`~pearl_core.testing.InMemoryStore` fake), ``sqlite`` and
    ``postgres``: one test proves the fake and the SQL store behave alike.

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
from pearl_core.testing import InMemoryStore
from pearl_core.testing.clock import FakeClock

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SPEC_DIR = SHARED / "pearl-spec"
CORPUS_DIR = SHARED / "corpus" / "scanners"

POSTGRES_ENV = "PEARL_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
ALL_STORES = ["memory", *BACKENDS]

T = TypeVar("T")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def spec_dir() -> Path:
    """The PeaRL v1.1 contract; tests that need it skip only when ../shared is absent."""
    if not SPEC_DIR.is_dir():
        pytest.skip("../shared/pearl-spec is not present")
    return SPEC_DIR


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


def _migrated(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        path = tmp_path / "pearl.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    server = request.getfixturevalue("postgres_server_url")
    yield from _fresh_postgres(server, request.getfixturevalue("postgres_template"))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database migrated to head."""
    yield from _migrated(request, request.param, tmp_path)


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


@pytest.fixture(params=ALL_STORES)
async def any_store(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[SqlStore | InMemoryStore]:
    """The in-memory fake, or a fresh migrated SQLite or PostgreSQL store."""
    if request.param == "memory":
        yield InMemoryStore(clock=clock)
        return
    urls = _migrated(request, request.param, tmp_path)
    sql_engine = create_engine(next(urls))
    try:
        yield SqlStore(sql_engine, clock=clock)
    finally:
        await sql_engine.dispose()
        urls.close()


@pytest.fixture
def corpus_dir() -> Path:
    """The shared scanner corpus; tests that need it skip only when ../shared is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return CORPUS_DIR
