"""In-memory findings and ingest runs, with the SQL store's semantics.

Batches are all or none, as in SQL: ``add_many`` refuses the whole batch
(``ProjectNotFound`` first, then ``AlreadyExists`` naming every refused id),
``update_many`` refuses it on the first absent id (``FindingNotFound``) or a
fingerprint collision (``Conflict``), and what the batch wrote before the
failure is rolled back.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from pearl_core.domain.enums import Environment, FindingStatus, RiskLevel
from pearl_core.domain.findings import Finding
from pearl_core.domain.ingest import IngestRun
from pearl_core.errors import AlreadyExists, Conflict, FindingNotFound, NotFound, ProjectNotFound
from pearl_core.ports import FindingIndexEntry
from pearl_core.testing._tables import Row, Transaction, parse

__all__ = ["MemoryFindingRepository", "MemoryIngestRunRepository"]

_TABLE = "findings"


def _cols(finding: Finding) -> dict[str, Any]:
    return {
        "project_id": finding.project_id,
        "environment": finding.environment.value,
        "fingerprint": finding.fingerprint,
        "status": finding.status.value,
        "severity": finding.severity.value,
        "tool_name": finding.source.tool_name,
        "cross_tool_key": finding.cross_tool_key,
        "content_hash": finding.content_digest(),
    }


class MemoryFindingRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add(self, finding: Finding) -> None:
        """Store a new finding; ``AlreadyExists`` if its id, or its fingerprint in
        the same project environment, is taken."""
        if not self._tx.insert(_TABLE, (finding.finding_id,), finding, **_cols(finding)):
            raise AlreadyExists(
                "a finding with this id or fingerprint exists",
                id=finding.finding_id,
                fingerprint=finding.fingerprint,
            )

    async def add_many(self, findings: Sequence[Finding]) -> None:
        tx = self._tx
        missing = {f.project_id for f in findings if tx.doc("projects", f.project_id) is None}
        if missing:
            raise ProjectNotFound(min(missing))
        savepoint = tx.savepoint(_TABLE)
        taken = [
            f.finding_id for f in findings if not tx.insert(_TABLE, (f.finding_id,), f, **_cols(f))
        ]
        if taken:
            tx.rollback_to(savepoint)
            raise AlreadyExists("some findings' ids or fingerprints are taken", ids=taken)

    async def get(self, finding_id: str) -> Finding:
        doc = self._tx.doc(_TABLE, finding_id)
        if doc is None:
            raise FindingNotFound(finding_id)
        return parse(Finding, doc)

    async def by_ids(self, finding_ids: Sequence[str]) -> list[Finding]:
        docs = (self._tx.doc(_TABLE, finding_id) for finding_id in finding_ids)
        return [parse(Finding, doc) for doc in docs if doc is not None]

    async def by_fingerprint(
        self, project_id: str, environment: Environment, fingerprint: str
    ) -> Finding | None:
        docs = self._tx.docs(
            _TABLE,
            limit=1,
            project_id=project_id,
            environment=environment.value,
            fingerprint=fingerprint,
        )
        return parse(Finding, docs[0]) if docs else None

    async def scope_index(
        self, project_id: str, environment: Environment, *, for_update: bool = False
    ) -> list[FindingIndexEntry]:
        """``for_update`` needs no lock here: a concurrent commit is a ``Conflict``."""
        rows = self._tx.rows(_TABLE, project_id=project_id, environment=environment.value)
        return [
            FindingIndexEntry(
                finding_id=key[-1],
                fingerprint=row.cols["fingerprint"],
                cross_tool_key=row.cols["cross_tool_key"],
                tool_name=row.cols["tool_name"],
                status=FindingStatus(row.cols["status"]),
                content_hash=row.cols["content_hash"],
            )
            for key, row in rows
        ]

    async def list(
        self,
        *,
        project_id: str | None = None,
        environment: Environment | None = None,
        statuses: Sequence[FindingStatus] | None = None,
        severities: Sequence[RiskLevel] | None = None,
        tool_name: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Finding]:
        rows = self._matching(project_id, environment, statuses, severities, tool_name)
        return [parse(Finding, row.doc) for row in rows[offset : offset + limit]]

    async def count(
        self,
        *,
        project_id: str | None = None,
        environment: Environment | None = None,
        statuses: Sequence[FindingStatus] | None = None,
        severities: Sequence[RiskLevel] | None = None,
        tool_name: str | None = None,
    ) -> int:
        return len(self._matching(project_id, environment, statuses, severities, tool_name))

    async def update(self, finding: Finding) -> None:
        if not self._tx.update(_TABLE, (finding.finding_id,), finding, **_cols(finding)):
            raise FindingNotFound(finding.finding_id)

    async def update_many(self, findings: Sequence[Finding]) -> None:
        tx = self._tx
        for finding in findings:
            if tx.doc(_TABLE, finding.finding_id) is None:
                raise FindingNotFound(finding.finding_id)
        savepoint = tx.savepoint(_TABLE)
        try:
            for finding in findings:
                tx.update(_TABLE, (finding.finding_id,), finding, **_cols(finding))
        except Conflict:
            tx.rollback_to(savepoint)
            raise

    def _matching(
        self,
        project_id: str | None,
        environment: Environment | None,
        statuses: Sequence[FindingStatus] | None,
        severities: Sequence[RiskLevel] | None,
        tool_name: str | None,
    ) -> builtins.list[Row]:
        rows = self._tx.rows(
            _TABLE,
            statuses=statuses,
            project_id=project_id,
            environment=None if environment is None else environment.value,
            tool_name=tool_name,
        )
        wanted = None if severities is None else {severity.value for severity in severities}
        return [row for _, row in rows if wanted is None or row.cols["severity"] in wanted]


class MemoryIngestRunRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add(self, run: IngestRun) -> None:
        cols = {"project_id": run.project_id, "idempotency_key": run.idempotency_key}
        if not self._tx.insert("ingest_runs", (run.ingest_id,), run, **cols):
            raise AlreadyExists(
                "an ingest run with this id or idempotency key exists", id=run.ingest_id
            )

    async def get(self, ingest_id: str) -> IngestRun:
        doc = self._tx.doc("ingest_runs", ingest_id)
        if doc is None:
            raise NotFound(ingest_id)
        return parse(IngestRun, doc)

    async def by_idempotency_key(self, key: str) -> IngestRun | None:
        docs = self._tx.docs("ingest_runs", limit=1, idempotency_key=key)
        return parse(IngestRun, docs[0]) if docs else None
