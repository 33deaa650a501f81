"""Engines for PeaRL's two databases: SQLite (aiosqlite) and PostgreSQL (asyncpg).

SQLite gets the settings that make it safe for several writers:

* ``journal_mode=WAL`` (readers never block the writer), ``busy_timeout``
  (wait for the write lock instead of failing at once) and
  ``foreign_keys=ON``, set on every new DBAPI connection;
* every transaction begins with ``BEGIN IMMEDIATE``. The ``sqlite3`` driver's
  own transaction control is switched off (``isolation_level=None``) and
  SQLAlchemy's ``begin`` event emits the ``BEGIN`` instead (the recipe in
  SQLAlchemy's SQLite dialect documentation, "Enabling Non-Legacy SQLite
  Transactional Modes"). A unit of work therefore takes the write lock when it
  starts, so two writers never deadlock on a lock upgrade, and the audit
  chain head needs no further locking on SQLite. The one exception is a
  transaction opened ``read_only`` (authentication, health checks): a plain
  deferred ``BEGIN``, which never waits for the writer.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from typing import Any, Final

import aiosqlite
import anyio
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from pearl_core.errors import ConfigurationError, StoreUnavailable

__all__ = ["SQLITE_BUSY_TIMEOUT_MS", "begin_transaction", "create_engine"]

SQLITE_BUSY_TIMEOUT_MS: Final = 5000
_SUPPORTED: Final = frozenset({"sqlite+aiosqlite", "postgresql+asyncpg"})
_READ_ONLY: Final = "pearl_read_only"
"""Execution option set by ``begin_transaction(read_only=True)``."""


def create_engine(url: str, *, connect_timeout: float = 10.0) -> AsyncEngine:
    """An engine for ``sqlite+aiosqlite:///path`` or ``postgresql+asyncpg://...``.

    Nothing connects yet; an unreachable database surfaces as
    :class:`~pearl_core.errors.StoreUnavailable` when a unit of work opens.
    The pool does not roll back connections it gets back: a unit of work
    always ends its transaction (commit, or rollback on exit) before it
    returns the connection, so that would be a wasted round trip per use.
    """
    parsed = _parse(url)
    if parsed.drivername == "sqlite+aiosqlite":
        if parsed.query:
            raise ConfigurationError("SQLite URLs take no query options", url=url)
        engine = create_async_engine(
            parsed,
            async_creator=functools.partial(_open_sqlite, parsed.database or ":memory:"),
            pool_reset_on_return=None,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    return create_async_engine(
        parsed,
        pool_pre_ping=True,
        pool_reset_on_return=None,
        connect_args={"timeout": connect_timeout},
    )


async def begin_transaction(engine: AsyncEngine, *, read_only: bool = False) -> AsyncConnection:
    """A pooled connection inside a fresh transaction.

    ``read_only`` is a promise not to write: on SQLite the transaction then
    begins deferred and takes no write lock, so (WAL) it never waits for a
    writer, however long the writer runs. Authentication and health checks
    read this way; a write in such a transaction may fail with ``database is
    locked``.

    ``StoreUnavailable`` when the database cannot be reached, or (SQLite) the
    write lock is not free within the busy timeout.
    """
    try:
        connection = await engine.connect()
    except (DBAPIError, OSError) as exc:
        raise StoreUnavailable("the database is unreachable", dialect=engine.dialect.name) from exc
    try:
        if read_only:
            await connection.execution_options(**{_READ_ONLY: True})
        await connection.begin()
    except (DBAPIError, OSError) as exc:
        with anyio.CancelScope(shield=True):
            await connection.close()
        raise StoreUnavailable(
            "the database did not start a transaction (busy or unreachable)",
            dialect=engine.dialect.name,
        ) from exc
    return connection


def _parse(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigurationError("database URL is not valid") from exc
    if parsed.drivername not in _SUPPORTED:
        raise ConfigurationError(
            "database URL must use sqlite+aiosqlite or postgresql+asyncpg",
            driver=parsed.drivername,
        )
    return parsed


class _SqliteConnection(aiosqlite.Connection):
    """aiosqlite's connection, made safe to close after it was stopped.

    When a query is cancelled, SQLAlchemy tears the connection down twice at
    once: a graceful ``close()`` in a shielded task, and a forced ``stop()``.
    aiosqlite 0.22 then has ``close()`` wait for a second stop request that
    the worker thread, already gone, never answers; the orphaned task blocks
    event-loop shutdown forever (a server that never exits, a test run that
    never ends). Here the first stop request is the only one, and a close after
    it only waits for the worker, which closes the SQLite handle on its way out.
    """

    _stop_requested = False

    def stop(self) -> asyncio.Future[Any] | None:
        if self._stop_requested:
            return None
        self._stop_requested = True
        return super().stop()

    async def close(self) -> None:
        if self._stop_requested:
            self._connection = None
        else:
            await super().close()
        # The worker reports to this event loop: let it finish before the loop may close.
        if self._thread.is_alive():
            await anyio.to_thread.run_sync(self._thread.join)


async def _open_sqlite(database: str) -> aiosqlite.Connection:
    """An aiosqlite connection without the driver's own BEGIN (``isolation_level=None``)."""
    connection = _SqliteConnection(
        functools.partial(
            sqlite3.connect, database, isolation_level=None, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000
        ),
        iter_chunk_size=64,
    )
    connection._thread.daemon = True  # as SQLAlchemy's own aiosqlite connect does
    try:
        return await connection
    except BaseException:
        # After a failed open aiosqlite stops its worker thread without waiting
        # for it; wait here, or the thread later reports to a closed event loop.
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(connection._thread.join)
        raise


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    read_only = connection.get_execution_options().get(_READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
