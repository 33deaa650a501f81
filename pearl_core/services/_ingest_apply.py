"""Write an ingest :class:`~pearl_core.services._ingest_plan.Plan`, and audit it.

Status changes an ingest makes are PeaRL's machine checks, so they are
checked against :data:`~pearl_core.domain.lifecycle.FINDING_LIFECYCLE` as
``Principal.system(org)``; the audit events are recorded by the unit of
work's principal (who sent the report) and name the system check.

Audit granularity: one ``findings.ingested`` event per run (counts, format,
scope, tools, and the sorted ids of the findings created, updated, reopened
and resolved — or, past :data:`MAX_IDS_IN_AUDIT` ids, their count and the
SHA-256 of the compact JSON array of the sorted ids; the full lists are kept
in the ingest run), plus one ``finding.status_changed`` event per finding
reopened or resolved, because every status change is audited on its own.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from pydantic import ValidationError

from pearl_core.domain.enums import FindingStatus
from pearl_core.domain.findings import Finding
from pearl_core.domain.identity import Principal
from pearl_core.domain.ingest import FindingChanges, IngestSummary, QuarantinedRecord, Resolution
from pearl_core.domain.lifecycle import FINDING_LIFECYCLE
from pearl_core.ports import UnitOfWork
from pearl_core.services._ingest_plan import Pending, Plan, Target, build_finding, rejected

__all__ = [
    "ABSENT_FROM_RESCAN",
    "BATCH",
    "MAX_IDS_IN_AUDIT",
    "REAPPEARED_IN_SCAN",
    "Applied",
    "StatusChange",
    "apply_plan",
    "audit_ingest",
    "id_list_digest",
]

ABSENT_FROM_RESCAN: Final = "absent_from_rescan"
REAPPEARED_IN_SCAN: Final = "reappeared_in_scan"
MAX_IDS_IN_AUDIT: Final = 1000
BATCH: Final = 2000
"""Findings built, read or written at a time."""

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class StatusChange:
    finding_id: str
    source: FindingStatus
    target: FindingStatus
    reason: str


def _kept(stored: Finding) -> dict[str, Any]:
    """What a rescan never changes: the finding's lifecycle and first sighting."""
    return {
        "status": stored.status,
        "status_reason": stored.status_reason,
        "detected_at": stored.detected_at,
        "first_seen_at": stored.first_seen_at,
    }


def _batches(items: Sequence[_T]) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


class _Writer:
    """Applies a plan batch by batch, so at most :data:`BATCH` built findings live at once."""

    def __init__(self, uow: UnitOfWork, target: Target) -> None:
        self.uow = uow
        self.target = target
        self.system = Principal.system(uow.principal.org_id)
        self.changes: list[StatusChange] = []
        self.created: list[str] = []
        self.quarantine: list[QuarantinedRecord] = []

    async def create(self, pending: Sequence[Pending]) -> None:
        """Add the new findings; a record that makes no valid finding is quarantined."""
        for batch in _batches(pending):
            built = []
            for record in batch:
                try:
                    built.append(build_finding(record, self.target))
                except ValidationError as exc:
                    self.quarantine.append(rejected(record.item, exc))
                    continue
                self.created.append(record.finding_id)
            await self.uow.findings.add_many(built)

    async def update(self, pending: Sequence[Pending]) -> None:
        for batch in _batches(pending):
            stored = await self._stored([p.finding_id for p in batch])
            rewritten = [
                build_finding(p, self.target).model_copy(update=_kept(stored[p.finding_id]))
                for p in batch
            ]
            await self.uow.findings.update_many(rewritten)

    async def reopen(self, reopens: Sequence[tuple[str, Pending | None]]) -> None:
        now = self.target.now
        for batch in _batches(reopens):
            stored = await self._stored([finding_id for finding_id, _ in batch])
            rewritten = []
            for finding_id, pending in batch:
                old = stored[finding_id]
                base = old
                if pending is not None:
                    base = build_finding(pending, self.target).model_copy(update=_kept(old))
                seen = base.model_copy(update={"last_seen_at": now, "updated_at": now})
                rewritten.append(self._move(old, seen, FindingStatus.REOPENED, REAPPEARED_IN_SCAN))
            await self.uow.findings.update_many(rewritten)

    async def resolve(self, finding_ids: Sequence[str]) -> None:
        for batch in _batches(finding_ids):
            stored = await self._stored(batch)
            rewritten = [
                self._move(
                    old,
                    old.model_copy(update={"updated_at": self.target.now}),
                    FindingStatus.FIXED_VERIFIED,
                    ABSENT_FROM_RESCAN,
                )
                for old in (stored[finding_id] for finding_id in batch)
            ]
            await self.uow.findings.update_many(rewritten)

    async def _stored(self, finding_ids: Sequence[str]) -> dict[str, Finding]:
        return {f.finding_id: f for f in await self.uow.findings.by_ids(finding_ids)}

    def _move(self, stored: Finding, base: Finding, target: FindingStatus, reason: str) -> Finding:
        FINDING_LIFECYCLE.check(stored.status, target, self.system, reason=reason)
        self.changes.append(StatusChange(stored.finding_id, stored.status, target, reason))
        return base.model_copy(update={"status": target, "status_reason": reason})


@dataclass(frozen=True, slots=True)
class Applied:
    """What an ingest wrote: the ids per kind of change, the status moves, and the
    records quarantined while writing (with the resolution that leaves)."""

    ids: FindingChanges
    changes: list[StatusChange]
    quarantine: list[QuarantinedRecord]
    resolution: Resolution


async def apply_plan(uow: UnitOfWork, plan: Plan, *, target: Target) -> Applied:
    """Write the plan: new findings, changed ones, reopened ones, then resolved ones.

    A new finding's record is validated as the finding is built; one that
    fails is quarantined instead of written, and then, like any quarantined
    record, it stops the resolution of absent findings (it may be one of them).
    """
    writer = _Writer(uow, target)
    await writer.create(plan.created)
    await writer.update(plan.updates)
    await writer.reopen(plan.reopens)
    resolution, resolves = plan.resolution, plan.resolves
    if writer.quarantine and resolution == "applied":
        resolution, resolves = "quarantined_records", []
    await writer.resolve(resolves)
    ids = FindingChanges(
        created=tuple(sorted(writer.created)),
        updated=tuple(sorted(p.finding_id for p in plan.updates)),
        reopened=tuple(sorted(finding_id for finding_id, _ in plan.reopens)),
        resolved=tuple(sorted(resolves)),
    )
    return Applied(ids, writer.changes, writer.quarantine, resolution)


def id_list_digest(ids: Sequence[str]) -> str:
    """SHA-256 (hex) of the compact JSON array of ``ids`` (already sorted)."""
    return hashlib.sha256(json.dumps(list(ids), separators=(",", ":")).encode()).hexdigest()


def _ids(ids: Sequence[str]) -> list[str] | dict[str, Any]:
    if len(ids) <= MAX_IDS_IN_AUDIT:
        return list(ids)
    return {"count": len(ids), "sha256": id_list_digest(ids)}


async def audit_ingest(
    uow: UnitOfWork,
    summary: IngestSummary,
    ids: FindingChanges,
    changes: Sequence[StatusChange],
    *,
    source_name: str,
    content_hash: str,
) -> None:
    """Record ``findings.ingested`` and one ``finding.status_changed`` per move."""
    counts = summary.model_dump(
        include={
            "created",
            "updated",
            "unchanged",
            "reopened",
            "resolved_by_rescan",
            "duplicates",
            "quarantined",
        }
    )
    await uow.audit.record(
        "findings.ingested",
        resource_type="ingest_run",
        resource_id=summary.ingest_id,
        details={
            "project_id": summary.project_id,
            "environment": summary.environment.value,
            "format": summary.format,
            "scope": summary.scope,
            "source_name": source_name,
            "content_hash": content_hash,
            "tool_names": list(summary.tool_names),
            "resolution": summary.resolution,
            "counts": counts,
            "finding_ids": {
                "created": _ids(ids.created),
                "updated": _ids(ids.updated),
                "reopened": _ids(ids.reopened),
                "resolved": _ids(ids.resolved),
            },
        },
    )
    checked_as = Principal.system(uow.principal.org_id).subject_id
    for change in changes:
        await uow.audit.record(
            "finding.status_changed",
            resource_type="finding",
            resource_id=change.finding_id,
            details={
                "from": change.source.value,
                "to": change.target.value,
                "reason": change.reason,
                "ingest_id": summary.ingest_id,
                "checked_as": checked_as,
            },
        )
