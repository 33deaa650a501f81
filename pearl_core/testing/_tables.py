"""The in-memory tables behind :class:`~pearl_core.testing.InMemoryStore`.

They mirror ``pearl_core.store.tables``: every tenant row is keyed by
``(org_id, <id>)``, keeps its document as JSON text (``doc``, read back with
``model_validate_json`` exactly as the SQL store does) and the few columns
PeaRL filters on (``cols``), and carries ``stored_at`` for listing order.

A :class:`Transaction` is one unit of work's view: a copy of the committed
tables taken when it begins, the keys it wrote and what they held before, and
its pending audit events. :meth:`MemoryState.apply` commits it, refusing
(``Conflict``) when another unit of work committed a change to the same rows,
a colliding unique value, or audit events since this one read the chain.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Final, Literal, TypeVar

from pydantic import BaseModel

from pearl_core.clock import Clock
from pearl_core.domain.audit import GENESIS_HASH, AuditEvent
from pearl_core.domain.identity import Principal
from pearl_core.errors import Conflict, IntegrityViolation, ProjectNotFound

__all__ = ["MemoryState", "Row", "Savepoint", "Transaction", "parse"]

M = TypeVar("M", bound=BaseModel)
Key = tuple[str, ...]
ProjectLink = Literal["required", "optional", "none"]


@dataclass(frozen=True, slots=True)
class _Spec:
    unique: tuple[tuple[str, ...], ...] = ()
    project: ProjectLink = "none"


#: Table name → unique columns (besides the key) and link to ``projects``, as in SQL.
SPECS: Final[Mapping[str, _Spec]] = {
    "orgs": _Spec(),
    "teams": _Spec(),
    "users": _Spec(unique=(("email",),)),
    "service_accounts": _Spec(unique=(("name",),)),
    "api_keys": _Spec(),  # key ids are unique across orgs: checked by the repository
    "user_passwords": _Spec(),
    "refresh_tokens": _Spec(),  # jtis are unique across orgs: checked by the repository
    "projects": _Spec(),
    "context_documents": _Spec(),
    "compiled_packages": _Spec(
        unique=(("project_id", "environment", "revision"),), project="required"
    ),
    "findings": _Spec(unique=(("project_id", "environment", "fingerprint"),), project="required"),
    "ingest_runs": _Spec(unique=(("idempotency_key",),), project="required"),
    "remediation_specs": _Spec(project="required"),
    "task_packets": _Spec(project="required"),
    "approval_requests": _Spec(project="required"),
    "approval_decisions": _Spec(),
    "exceptions": _Spec(project="required"),
    "promotions": _Spec(project="required"),
    "jobs": _Spec(unique=(("idempotency_key",),), project="optional"),
    "reports": _Spec(project="optional"),
    "decisions": _Spec(),
}


@dataclass(frozen=True, slots=True)
class Row:
    """One stored row: the document as JSON, its filter columns, when it was stored."""

    doc: str
    stored_at: datetime
    cols: Mapping[str, Any] = field(default_factory=dict)


Tables = dict[str, dict[Key, Row]]


@dataclass(frozen=True, slots=True)
class Savepoint:
    """One table of a transaction as it was, to roll a failed batch back to."""

    table: str
    rows: dict[Key, Row]
    before: dict[tuple[str, Key], Row | None]
    writes: int


_CLOSED = "the unit of work is not open: use `async with uow:`"


def parse(model: type[M], doc: str) -> M:
    return model.model_validate_json(doc)


class MemoryState:
    """The committed state of an :class:`~pearl_core.testing.InMemoryStore`."""

    def __init__(self) -> None:
        self.tables: Tables = {name: {} for name in SPECS}
        self.audit: dict[str, list[AuditEvent]] = {}

    def head(self, org_id: str) -> tuple[int, str]:
        events = self.audit.get(org_id)
        return (events[-1].seq, events[-1].hash) if events else (0, GENESIS_HASH)

    def apply(self, tx: Transaction) -> None:
        """Commit ``tx``'s writes and audit events, or raise ``Conflict`` and change nothing."""
        merged = {name: dict(rows) for name, rows in self.tables.items()}
        for (table, key), before in tx.before.items():
            if self.tables[table].get(key) is not before:
                raise Conflict("another unit of work changed this row first", table=table)
            row = tx.tables[table].get(key)
            if row is not None:
                merged[table][key] = row
        for table, key in tx.before:
            row = merged[table][key]
            if _collision(merged, table, key, row.cols) is not None:
                raise Conflict("another unit of work stored a colliding row", table=table)
        if tx.events:
            if self.head(tx.org_id) != tx.audit_base_head:
                raise Conflict("another unit of work appended to the audit log first")
            merged_events = [*self.audit.get(tx.org_id, []), *tx.events]
            self.audit[tx.org_id] = merged_events
        self.tables = merged


class Transaction:
    """One unit of work's view of the store, scoped to its principal's org.

    Closed until :meth:`begin`; every read or write of a closed transaction is
    a ``RuntimeError`` (the unit of work was used outside ``async with``).
    """

    def __init__(self, state: MemoryState, principal: Principal, clock: Clock) -> None:
        self.principal = principal
        self.org_id = principal.org_id
        self.clock = clock
        self._state = state
        self._tables: Tables | None = None
        self.before: dict[tuple[str, Key], Row | None] = {}
        self.writes = 0
        self.events: list[AuditEvent] = []
        self._audit_base: list[AuditEvent] | None = None
        self.audit_base_head: tuple[int, str] = (0, GENESIS_HASH)
        self.read_only = False
        """Opened with ``uow.reading()``: every write is refused, as on the SQL store."""

    @property
    def is_open(self) -> bool:
        return self._tables is not None

    @property
    def tables(self) -> Tables:
        if self._tables is None:
            raise RuntimeError(_CLOSED)
        return self._tables

    def require_open(self) -> None:
        if self._tables is None:
            raise RuntimeError(_CLOSED)

    def begin(self) -> None:
        """Start afresh from the committed state, forgetting anything uncommitted."""
        self._tables = {name: dict(rows) for name, rows in self._state.tables.items()}
        self.before = {}
        self.writes = 0
        self.events = []
        self._audit_base = None
        self.audit_base_head = (0, GENESIS_HASH)

    def close(self) -> None:
        self.begin()
        self._tables = None
        self.read_only = False

    def require_writable(self) -> None:
        if self.read_only:
            raise IntegrityViolation("this unit of work was opened for reads only")

    def commit(self) -> None:
        """Apply to the committed state (or raise ``Conflict``), then start afresh."""
        try:
            self._state.apply(self)
        finally:
            self.begin()

    def savepoint(self, table: str) -> Savepoint:
        """Remember ``table`` now: :meth:`rollback_to` undoes a batch that failed half-way."""
        return Savepoint(table, dict(self.tables[table]), dict(self.before), self.writes)

    def rollback_to(self, savepoint: Savepoint) -> None:
        self.tables[savepoint.table] = dict(savepoint.rows)
        self.before = dict(savepoint.before)
        self.writes = savepoint.writes

    # -- rows --------------------------------------------------------------

    def key(self, *parts: str) -> Key:
        return (self.org_id, *parts)

    def doc(self, table: str, *key: str) -> str | None:
        row = self.tables[table].get(self.key(*key))
        return None if row is None else row.doc

    def rows(
        self,
        table: str,
        *,
        statuses: Sequence[StrEnum] | None = None,
        **equals: object,
    ) -> list[tuple[Key, Row]]:
        """The org's rows matching every non-None ``equals`` column and ``statuses``
        (None means any; an empty sequence matches nothing), in listing order."""
        wanted = None if statuses is None else {status.value for status in statuses}
        found = [
            (key, row)
            for key, row in self.tables[table].items()
            if key[0] == self.org_id
            and all(
                row.cols.get(name) == value for name, value in equals.items() if value is not None
            )
            and (wanted is None or row.cols.get("status") in wanted)
        ]
        found.sort(key=lambda item: (item[1].stored_at, item[0]))
        return found

    def docs(
        self,
        table: str,
        *,
        statuses: Sequence[StrEnum] | None = None,
        limit: int | None = None,
        offset: int = 0,
        **equals: object,
    ) -> list[str]:
        rows = self.rows(table, statuses=statuses, **equals)[offset:]
        return [row.doc for _, row in (rows if limit is None else rows[:limit])]

    def insert(self, table: str, key: Iterable[str], model: BaseModel, **cols: Any) -> bool:
        """Store a new row of the org; False if its key or a unique column is taken.

        A project-bound row whose project is missing raises ``ProjectNotFound``.
        """
        full_key = self.key(*key)
        rows = self.tables[table]
        if full_key in rows or _collision(self.tables, table, full_key, cols) is not None:
            return False
        missing = self._missing_project(table, cols)
        if missing is not None:
            raise ProjectNotFound(missing)
        self._write(table, full_key, Row(model.model_dump_json(), self.clock.now(), cols))
        return True

    def insert_record(self, table: str, key: Iterable[str], model: BaseModel, **cols: Any) -> bool:
        """:meth:`insert` a row that is itself a record (the decision log): it is not
        counted as a state change that the commit requires an audit event for."""
        writes = self.writes
        stored = self.insert(table, key, model, **cols)
        self.writes = writes
        return stored

    def update(
        self,
        table: str,
        key: Iterable[str],
        model: BaseModel,
        *,
        expect_doc: str | None = None,
        **cols: Any,
    ) -> bool:
        """Replace the org's row at ``key``; False if there is none, or if
        ``expect_doc`` is given and the stored doc is no longer that.

        A new value colliding with another row's unique column, or pointing at
        a missing project, is a ``Conflict`` (the SQL store's integrity error).
        """
        full_key = self.key(*key)
        current = self.tables[table].get(full_key)
        if current is None or (expect_doc is not None and current.doc != expect_doc):
            return False
        merged_cols = {**current.cols, **cols}
        if (
            _collision(self.tables, table, full_key, merged_cols) is not None
            or self._missing_project(table, merged_cols) is not None
        ):
            raise Conflict("the change collides with another stored row", table=table)
        self._write(table, full_key, Row(model.model_dump_json(), current.stored_at, merged_cols))
        return True

    def _write(self, table: str, key: Key, row: Row) -> None:
        self.require_writable()
        self.before.setdefault((table, key), self._state.tables[table].get(key))
        self.tables[table][key] = row
        self.writes += 1

    def _missing_project(self, table: str, cols: Mapping[str, Any]) -> str | None:
        link = SPECS[table].project
        project_id = cols.get("project_id")
        if link == "none" or (link == "optional" and project_id is None):
            return None
        if self.key(str(project_id)) in self.tables["projects"]:
            return None
        return str(project_id)

    # -- audit -------------------------------------------------------------

    def audit_view(self) -> list[AuditEvent]:
        """The org's chain as this unit of work sees it: committed, then pending.

        The committed part is read when the unit of work first touches the
        log (the SQL store locks the chain head at that moment).
        """
        self.require_open()
        if self._audit_base is None:
            self._audit_base = list(self._state.audit.get(self.org_id, []))
            self.audit_base_head = self._state.head(self.org_id)
        return [*self._audit_base, *self.events]


def _collision(tables: Tables, table: str, key: Key, cols: Mapping[str, Any]) -> Key | None:
    """The key of another row of the org sharing a unique column set with ``cols``."""
    for columns in SPECS[table].unique:
        values = tuple(cols.get(name) for name in columns)
        if any(value is None for value in values):
            continue  # NULLs never collide, as in SQL
        for other_key, other in tables[table].items():
            if other_key == key or other_key[0] != key[0]:
                continue
            if tuple(other.cols.get(name) for name in columns) == values:
                return other_key
    return None
