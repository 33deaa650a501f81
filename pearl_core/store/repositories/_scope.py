"""What every repository of one unit of work shares, and the few row helpers they use.

A :class:`Scope` carries the acting principal (whose org scopes every query),
the clock, the open connection and the write/audit counters the unit of work
checks on commit. Repositories call the helpers below with their own table
and columns; there is no generic repository class.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Executable,
    Insert,
    Select,
    Table,
    exists,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from pearl_core.clock import Clock
from pearl_core.domain.identity import Principal
from pearl_core.errors import (
    AlreadyExists,
    Conflict,
    IntegrityViolation,
    PearlError,
    ProjectNotFound,
    StoreUnavailable,
)
from pearl_core.packet_cache import PacketCache
from pearl_core.store.tables import projects

__all__ = [
    "Parent",
    "Scope",
    "dump",
    "fetch_doc",
    "fetch_docs",
    "insert_ignoring_duplicates",
    "insert_new",
    "is_foreign_key_violation",
    "parse",
    "project_parent",
    "update_row",
    "where",
]

M = TypeVar("M", bound=BaseModel)

_PG_FOREIGN_KEY_VIOLATION = "23503"


class Scope:
    """The state of one unit of work, shared by its repositories."""

    def __init__(
        self, principal: Principal, clock: Clock, packet_cache: PacketCache | None = None
    ) -> None:
        self.principal = principal
        self.org_id = principal.org_id
        self.clock = clock
        self.packet_cache = packet_cache
        self.changed_packets: set[str] = set()
        """Task packets this unit of work wrote: forgotten by the cache when it ends."""
        self.connection: AsyncConnection | None = None
        self.writes = 0
        self.audit_records = 0
        self.poisoned = False
        """Set when the database rejected a statement: the transaction can only
        roll back (PostgreSQL aborts it; SQLite is held to the same rule)."""
        self.read_only = False
        """Opened with ``uow.reading()``: every INSERT, UPDATE or DELETE is refused."""

    @property
    def conn(self) -> AsyncConnection:
        if self.connection is None:
            raise RuntimeError("the unit of work is not open: use `async with uow:`")
        return self.connection

    @property
    def dialect(self) -> str:
        return self.conn.dialect.name

    def owns(self, table: Table) -> ColumnElement[bool]:
        """The filter every query carries: rows of the principal's org only."""
        return table.c.org_id == self.org_id

    def check_usable(self) -> None:
        if self.poisoned:
            raise IntegrityViolation(
                "the database rejected an earlier statement; this unit of work can only roll back"
            )

    def packet_changed(self, task_packet_id: str) -> None:
        """A task packet was written: the cache forgets it now and when the unit of work ends."""
        self.changed_packets.add(task_packet_id)
        if self.packet_cache is not None:
            self.packet_cache.invalidate(self.org_id, (task_packet_id,))

    def forget_changed_packets(self) -> None:
        if self.packet_cache is not None and self.changed_packets:
            self.packet_cache.invalidate(self.org_id, self.changed_packets)
        self.changed_packets = set()

    def reset(self) -> None:
        self.writes = 0
        self.audit_records = 0
        self.poisoned = False

    async def execute(
        self, statement: Executable, rows: Sequence[Mapping[str, Any]] | None = None
    ) -> CursorResult[Any]:
        """Run ``statement`` (once per mapping in ``rows``, batched, when given)."""
        self.check_usable()
        if self.read_only and getattr(statement, "is_dml", False):
            raise IntegrityViolation("this unit of work was opened for reads only")
        try:
            return await self.conn.execute(statement, rows)
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise StoreUnavailable("the database connection was lost") from exc
            if _missing_table(exc):
                self.poisoned = True
                raise StoreUnavailable(
                    "the database schema is older than this PeaRL: run `pearl db upgrade`",
                    reason="schema_outdated",
                ) from exc
            raise


def _missing_table(exc: DBAPIError) -> bool:
    """SQLite's "no such table" or PostgreSQL's undefined_table (42P01)."""
    orig = exc.orig
    if getattr(orig, "sqlstate", None) == "42P01":
        return True
    return "no such table" in str(orig)


def where(
    scope: Scope, table: Table, *, statuses: Sequence[StrEnum] | None = None, **equals: str | None
) -> list[ColumnElement[bool]]:
    """The org filter, ``column == value`` for every given value, and a status set.

    ``None`` means "any"; an empty ``statuses`` matches nothing.
    """
    filters = [scope.owns(table)]
    filters += [table.c[name] == value for name, value in equals.items() if value is not None]
    if statuses is not None:
        filters.append(table.c.status.in_([status.value for status in statuses]))
    return filters


def dump(model: BaseModel) -> str:
    """A model as the JSON text stored in ``doc``."""
    return model.model_dump_json()


def parse(model: type[M], doc: str) -> M:
    return model.model_validate_json(doc)


@dataclass(frozen=True, slots=True)
class Parent:
    """The row a new row hangs off (in the same org), and the error if it is missing."""

    table: Table
    key: Mapping[str, str]
    missing: PearlError


async def insert_new(
    scope: Scope,
    table: Table,
    values: Mapping[str, Any],
    *,
    parent: Parent | None = None,
    needs_audit: bool = True,
) -> bool:
    """Insert one row of the principal's org; False if a key or unique column is taken.

    Neither a duplicate nor a missing ``parent`` makes the database raise:
    duplicates are skipped by ``ON CONFLICT DO NOTHING`` and the parent is
    checked by ``INSERT ... SELECT ... WHERE EXISTS``, so the transaction stays
    usable on PostgreSQL, exactly as on SQLite. A missing parent raises
    ``parent.missing`` (e.g. ``ProjectNotFound``).

    ``needs_audit=False`` is for rows that are themselves a record (the
    decision log): they are not counted as a state change that the commit
    requires an audit event for.
    """
    row = {"org_id": scope.org_id, **values}
    statement = insert_ignoring_duplicates(scope, table)
    if parent is None:
        statement = statement.values(row)
    else:
        source = select(
            *(literal(value, table.c[name].type).label(name) for name, value in row.items())
        ).where(exists().where(*_matching(scope, parent)))
        statement = statement.from_select(list(row), source)
    try:
        result = await scope.execute(statement)
    except IntegrityError:
        scope.poisoned = True
        raise
    if result.rowcount == 1:
        if needs_audit:
            scope.writes += 1
        return True
    if parent is not None:
        found = await scope.execute(select(literal(1)).where(*_matching(scope, parent)))
        if found.first() is None:
            raise parent.missing
    return False


async def insert_batch(
    scope: Scope,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    what: str,
    needs_audit: bool = True,
) -> None:
    """Insert ``rows`` of the principal's org in one batched ``INSERT``, all or none.

    A taken key or unique column, or a missing parent row, refuses the whole
    batch (``already_exists`` / ``conflict``); the insert runs in a savepoint,
    so the unit of work stays usable. One round trip instead of one per row.
    """
    if not rows:
        return
    scope.check_usable()
    full = [{"org_id": scope.org_id, **row} for row in rows]
    savepoint = await scope.conn.begin_nested()
    try:
        await scope.execute(insert(table), full)
    except IntegrityError as exc:
        await savepoint.rollback()
        if is_foreign_key_violation(exc):
            raise Conflict(f"a {what} names a row that does not exist", table=table.name) from None
        raise AlreadyExists(f"some {what} ids are taken", table=table.name) from None
    await savepoint.commit()
    if needs_audit:
        scope.writes += len(full)


def project_parent(project_id: str | None) -> Parent | None:
    """The project a new row belongs to (none for rows without a project)."""
    if project_id is None:
        return None
    return Parent(projects, {"project_id": project_id}, ProjectNotFound(project_id))


def _matching(scope: Scope, parent: Parent) -> list[ColumnElement[bool]]:
    table = parent.table
    return [scope.owns(table), *(table.c[name] == value for name, value in parent.key.items())]


def insert_ignoring_duplicates(scope: Scope, table: Table) -> Insert:
    """``INSERT ... ON CONFLICT DO NOTHING`` in the connection's dialect."""
    if scope.dialect == "postgresql":
        return pg_insert(table).on_conflict_do_nothing()
    return sqlite_insert(table).on_conflict_do_nothing()


def is_foreign_key_violation(exc: IntegrityError) -> bool:
    orig = exc.orig
    if getattr(orig, "sqlstate", None) == _PG_FOREIGN_KEY_VIOLATION:
        return True
    return getattr(orig, "sqlite_errorcode", None) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY


async def update_row(
    scope: Scope,
    table: Table,
    key: Mapping[str, str],
    values: Mapping[str, Any],
    *,
    expect_doc: str | None = None,
) -> bool:
    """Update the row of the principal's org matching ``key``; False if there is
    none, or if ``expect_doc`` is given and the stored ``doc`` is no longer that
    (compare-and-set: of two concurrent writers from the same version, one wins).

    A new value that collides with another row's unique column is a ``Conflict``.
    """
    condition = [] if expect_doc is None else [table.c.doc == expect_doc]
    statement = (
        update(table)
        .where(
            scope.owns(table),
            *(table.c[name] == value for name, value in key.items()),
            *condition,
        )
        .values(**values)
    )
    try:
        result = await scope.execute(statement)
    except IntegrityError as exc:
        scope.poisoned = True
        raise Conflict("the change collides with another stored row", table=table.name) from exc
    if result.rowcount != 1:
        return False
    scope.writes += 1
    return True


async def fetch_doc(scope: Scope, statement: Select[tuple[str]]) -> str | None:
    """The ``doc`` of the first row ``statement`` selects, or None."""
    result = await scope.execute(statement.limit(1))
    return result.scalar_one_or_none()


async def fetch_docs(scope: Scope, statement: Select[tuple[str]]) -> list[str]:
    result = await scope.execute(statement)
    return list(result.scalars())
