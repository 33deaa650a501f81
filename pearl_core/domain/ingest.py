"""Ingest runs: what one scanner report did to a project environment's findings.

Every accepted report is recorded as an :class:`IngestRun`, with its
:class:`IngestSummary` (the counts a caller sees) and the ids of every finding
it created or changed (:class:`FindingChanges`). A run is written once and
never edited; an idempotent retry returns the stored summary.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from pearl_core.domain.base import PearlRecord, UtcDatetime
from pearl_core.domain.common import ProjectId
from pearl_core.domain.enums import Environment

__all__ = [
    "INGEST_ID_PATTERN",
    "FindingChanges",
    "IngestRun",
    "IngestScope",
    "IngestSummary",
    "QuarantinedRecord",
    "Resolution",
]

INGEST_ID_PATTERN = r"^ing_[A-Za-z0-9_-]+$"

IngestScope = Literal["full", "partial"]
"""``full``: the report covers everything its tools scan in the project
environment, so an open finding it no longer reports is fixed. ``partial``: a
subset (changed files, one directory); absence proves nothing."""

Resolution = Literal["applied", "partial_scan", "scan_errors", "quarantined_records"]
"""Whether open findings absent from the report were resolved, and if not, why:
a partial scan, errors the scanner reported, or records PeaRL could not read
(one of them may be a finding that is still there)."""

Count = Annotated[int, Field(ge=0)]


class QuarantinedRecord(PearlRecord):
    """A record that was not ingested, and why; the rest of the report was."""

    record: Annotated[str, Field(max_length=500)]
    """Where it sits in the report, e.g. ``runs[0].results[12]``."""
    reason: Annotated[str, Field(max_length=2000)]


class IngestSummary(PearlRecord):
    """What one ingest did, in counts.

    Every record of the report is exactly one of: ``created`` (a new
    finding), ``updated`` (a known finding whose reported content changed),
    ``unchanged`` (a known finding reported exactly as before: nothing is
    written), ``reopened`` (a verified-fixed finding that is back),
    ``duplicates`` (the same finding as an earlier record of this report: the
    same fingerprint, the same cross-tool key, or two records matching one
    stored finding) or ``quarantined``, so the counts add up to the tool's
    own result count. ``resolved_by_rescan``
    counts open findings the report no longer contains that became
    ``fixed_verified``.
    """

    ingest_id: Annotated[str, Field(pattern=INGEST_ID_PATTERN, max_length=128)]
    project_id: ProjectId
    environment: Environment
    format: Annotated[str, Field(min_length=1, max_length=32)]
    scope: IngestScope
    tool_names: tuple[str, ...] = ()
    created: Count = 0
    updated: Count = 0
    unchanged: Count = 0
    reopened: Count = 0
    resolved_by_rescan: Count = 0
    duplicates: Count = 0
    quarantined: Count = 0
    quarantine: tuple[QuarantinedRecord, ...] = ()
    scan_errors: tuple[str, ...] = ()
    resolution: Resolution = "applied"
    idempotent_replay: bool = False
    """True when this is the stored summary of an earlier request with the same
    idempotency key and content: nothing was ingested this time."""


class FindingChanges(PearlRecord):
    """The ids of the findings an ingest wrote, sorted, per kind of change."""

    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    reopened: tuple[str, ...] = ()
    resolved: tuple[str, ...] = ()


class IngestRun(PearlRecord):
    """One accepted report: who sent it, its content hash, what it changed."""

    ingest_id: Annotated[str, Field(pattern=INGEST_ID_PATTERN, max_length=128)]
    project_id: ProjectId
    environment: Environment
    idempotency_key: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    content_hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    """SHA-256 of the report's bytes as received."""
    format: Annotated[str, Field(min_length=1, max_length=32)]
    scope: IngestScope
    summary: IngestSummary
    changes: FindingChanges
    created_by: Annotated[str, Field(min_length=1, max_length=200)]
    created_at: UtcDatetime
