"""The decision log's write-behind buffer for guard-rail allows.

An allowed action changes nothing, so the only write it needs is its decision
record. A running server hands those records to a :class:`DecisionBuffer`
instead of writing each in the request's own transaction; the buffer writes
them in batches (one transaction per org per flush) every ``interval`` or as
soon as ``batch_size`` are waiting, and once more when it stops.

The trade-off, stated plainly: a record is in the database up to
``interval`` after the agent got its answer, and a process killed without a
shutdown loses the records of that last interval. Denials, approvals and
everything that changes state are never buffered: they are written in the
request's transaction, as before.

:meth:`DecisionBuffer.offer` returns ``False`` when the buffer is not running
(a CLI command, a test without a server) or already holds ``max_pending``
records because the database is not keeping up; the caller then writes the
record itself, so pressure turns into latency, never into lost records.
A flush that fails keeps its records and tries again next interval; stopping
the buffer waits for a flush in progress instead of cutting it off.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Final

import anyio
import structlog

from pearl_core.domain.decisions import DecisionRecord
from pearl_core.domain.identity import Principal
from pearl_core.ports import UnitOfWork

__all__ = ["DecisionBuffer"]

DEFAULT_INTERVAL_S: Final = 0.05
DEFAULT_BATCH_SIZE: Final = 500
DEFAULT_MAX_PENDING: Final = 20_000

_log = structlog.get_logger("pearl.decisions")


class DecisionBuffer:
    """Decision records written behind the request; see the module docstring."""

    def __init__(
        self,
        unit_of_work: Callable[[Principal], UnitOfWork],
        *,
        interval_s: float = DEFAULT_INTERVAL_S,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_pending: int = DEFAULT_MAX_PENDING,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._interval_s = interval_s
        self._batch_size = batch_size
        self._max_pending = max_pending
        self._pending: list[DecisionRecord] = []
        self._running = False
        self._wake = anyio.Event()
        self._flush_lock = anyio.Lock()

    @property
    def running(self) -> bool:
        return self._running

    @property
    def pending(self) -> int:
        return len(self._pending)

    def offer(self, record: DecisionRecord) -> bool:
        """Queue ``record``; ``False`` means the caller must write it itself."""
        if not self._running or len(self._pending) >= self._max_pending:
            return False
        self._pending.append(record)
        if len(self._pending) >= self._batch_size:
            self._wake.set()
        return True

    async def flush(self) -> int:
        """Write everything queued now; returns how many records were written."""
        async with self._flush_lock:
            batch, self._pending = self._pending, []
            if not batch:
                return 0
            by_org: defaultdict[str, list[DecisionRecord]] = defaultdict(list)
            for record in batch:
                by_org[record.org_id].append(record)
            written = 0
            for org_id, records in by_org.items():
                try:
                    await self._write(org_id, records)
                    written += len(records)
                except Exception as exc:  # noqa: BLE001 - the loop must outlive a bad flush
                    # Keep them for the next flush; the log says why, without contents.
                    self._pending[:0] = records
                    _log.error("decision_flush_failed", org_id=org_id, error=type(exc).__name__)
            return written

    async def _write(self, org_id: str, records: list[DecisionRecord]) -> None:
        uow = self._unit_of_work(Principal.system(org_id, "decision-log"))
        async with uow:
            await uow.decisions.add_many(records)
            await uow.commit()

    @asynccontextmanager
    async def run(self) -> AsyncIterator[DecisionBuffer]:
        """Accept records while the block runs; flush every interval and on exit."""
        if self._running:
            raise RuntimeError("this decision buffer is already running")
        self._running = True
        try:
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(self._flush_loop)
                try:
                    yield self
                finally:
                    self._running = False
                    tasks.cancel_scope.cancel()
        finally:
            self._running = False
            with anyio.CancelScope(shield=True):
                await self.flush()

    async def _flush_loop(self) -> None:
        while True:
            with anyio.move_on_after(self._interval_s):
                await self._wake.wait()
            self._wake = anyio.Event()
            # Stopping cancels the wait, never a write: a write cut off mid-way
            # would drop its batch, or leave it committed and written twice.
            with anyio.CancelScope(shield=True):
                await self.flush()
