"""The in-memory decision log, with the SQL store's semantics.

Records are written once (``AlreadyExists`` on a taken id, ``Forbidden`` for
another org's record), do not count as audited state changes, and are read in
``(decided_at, decision_id)`` order.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime

from pearl_core.domain.decisions import DecisionRecord
from pearl_core.errors import AlreadyExists, Forbidden, NotFound, PearlError
from pearl_core.testing._tables import Transaction, parse

__all__ = ["MemoryDecisionLogRepository"]

_TABLE = "decisions"


class MemoryDecisionLogRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add(self, record: DecisionRecord) -> None:
        if record.org_id != self._tx.org_id:
            raise Forbidden("cannot log a decision of another org", org_id=record.org_id)
        cols = {"entrypoint": record.entrypoint, "decided_at": record.decided_at}
        if not self._tx.insert_record(_TABLE, (record.decision_id,), record, **cols):
            raise AlreadyExists("the decision is already logged", id=record.decision_id)

    async def add_many(self, records: Sequence[DecisionRecord]) -> None:
        savepoint = self._tx.savepoint(_TABLE)
        try:
            for record in records:
                await self.add(record)
        except PearlError:
            self._tx.rollback_to(savepoint)
            raise

    async def get(self, decision_id: str) -> DecisionRecord:
        doc = self._tx.doc(_TABLE, decision_id)
        if doc is None:
            raise NotFound(decision_id)
        return parse(DecisionRecord, doc)

    async def since(
        self,
        since: datetime,
        *,
        entrypoint: str | None = None,
        after_id: str | None = None,
        limit: int | None = None,
        batch_size: int = 500,
    ) -> AsyncIterator[DecisionRecord]:
        """``batch_size`` is accepted for the protocol; memory has no batches."""
        start = (since, after_id or "")
        found = sorted(
            (row.cols["decided_at"], key[-1], row.doc)
            for key, row in self._tx.rows(_TABLE, entrypoint=entrypoint)
        )
        matching = [
            doc
            for decided_at, decision_id, doc in found
            if (decided_at, decision_id) > start or (after_id is None and decided_at == since)
        ]
        for doc in matching if limit is None else matching[: max(limit, 0)]:
            yield parse(DecisionRecord, doc)
