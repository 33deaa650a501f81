"""Ingest a scanner report into one project environment's findings.

:func:`ingest_report` is the one entry point (CLI, REST, MCP call it):

1. authorise (``findings:ingest``: operators and admins);
2. hash the report's bytes, checking ``max_bytes`` (a stream that cannot
   seek is spooled to a temporary file first, so the bytes hashed are the
   bytes parsed);
3. check the project and answer an idempotent retry: same key and same
   content gives the stored summary and writes nothing; same key and
   different content or target is ``conflict``;
4. parse the **whole** report (in a worker thread) before any transaction
   opens: ``LimitExceeded``, ``MalformedReport`` or ``UnrecognizedFormat``
   leave the store exactly as it was;
5. in one transaction: check the project and the key again, lock the
   project (so ingests into it run one after another), read the
   environment's lean finding index, classify every record
   (:mod:`pearl_core.services._ingest_plan`), write the new and changed
   findings in batches, store the :class:`~pearl_core.domain.ingest.IngestRun`,
   audit (:mod:`pearl_core.services._ingest_apply`), commit.

A rescan that changes nothing is still an event: its run and its
``findings.ingested`` audit event are recorded, and no finding row is
written.
"""

from __future__ import annotations

import gc
import hashlib
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Annotated, BinaryIO, Final

import anyio
from pydantic import Field

from pearl_core.authz import Permission, authorize
from pearl_core.clock import Clock
from pearl_core.domain.base import PearlModel
from pearl_core.domain.common import ProjectId
from pearl_core.domain.enums import Environment
from pearl_core.domain.ingest import IngestRun, IngestScope, IngestSummary
from pearl_core.errors import AlreadyExists, IdempotencyConflict, LimitExceeded
from pearl_core.ids import new_id
from pearl_core.ingest.pipeline import IngestLimits, Item, read_report
from pearl_core.ingest.records import ReportInfo
from pearl_core.ports import UnitOfWork
from pearl_core.services._ingest_apply import Applied, apply_plan, audit_ingest
from pearl_core.services._ingest_plan import Plan, Target, plan_ingest
from pearl_core.services.outcomes import verify_packets

__all__ = ["IngestRequest", "ingest_report"]

_CHUNK: Final = 1024 * 1024
_SCAN_ERRORS_KEPT: Final = 100


class IngestRequest(PearlModel):
    """Where a report goes and how to read it; the report's bytes travel beside it."""

    project_id: ProjectId
    environment: Environment
    source_name: Annotated[str, Field(min_length=1, max_length=500)]
    """The file or upload name; every parse error names it."""
    format: Annotated[str, Field(min_length=1, max_length=32)] = "auto"
    """``auto`` (detected from content) or a format name (``sarif``, ``semgrep``...)."""
    scope: IngestScope = "full"
    idempotency_key: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    """A retry with the same key and content returns the first result."""


@dataclass(frozen=True, slots=True)
class _Hashed:
    file: BinaryIO
    start: int
    digest: str
    owned: bool
    """The file is PeaRL's spool (closed after the ingest), not the caller's."""


@dataclass(frozen=True, slots=True)
class _Report:
    format: str
    info: ReportInfo
    items: list[Item]


async def ingest_report(
    uow: UnitOfWork,
    request: IngestRequest,
    source: BinaryIO,
    *,
    clock: Clock,
    limits: IngestLimits,
) -> IngestSummary:
    """Ingest the report read from ``source`` (see the module docstring)."""
    authorize(uow.principal, Permission.FINDINGS_INGEST)
    async with _hashed(source, request.source_name, limits) as hashed:
        try:
            return await _ingest(uow, request, hashed, clock=clock, limits=limits)
        except AlreadyExists:
            # A concurrent request with the same idempotency key committed first.
            if request.idempotency_key is None:
                raise
            async with uow:
                replay = await _replay(uow, request, hashed.digest)
            if replay is None:
                raise
            return replay


async def _ingest(
    uow: UnitOfWork, request: IngestRequest, hashed: _Hashed, *, clock: Clock, limits: IngestLimits
) -> IngestSummary:
    async with uow:
        await uow.projects.get(request.project_id)
        replay = await _replay(uow, request, hashed.digest)
    if replay is not None:
        return replay
    with gc_paused():
        report = await anyio.to_thread.run_sync(_read_all, hashed, request, limits)
        async with uow:
            await uow.projects.get(request.project_id)
            replay = await _replay(uow, request, hashed.digest)  # a retry that raced us
            if replay is not None:
                return replay
            summary = await _write(uow, request, report, hashed.digest, clock.now())
            await uow.commit()
    return summary


async def _write(
    uow: UnitOfWork, request: IngestRequest, report: _Report, digest: str, now: datetime
) -> IngestSummary:
    index = await uow.findings.scope_index(request.project_id, request.environment, for_update=True)
    target = Target(request.project_id, request.environment, now)
    plan = await anyio.to_thread.run_sync(
        partial(
            plan_ingest, report.items, index, target=target, scope=request.scope, info=report.info
        )
    )
    applied = await apply_plan(uow, plan, target=target)
    if applied.changes:
        tools = sorted(report.info.tool_names)
        await verify_packets(uow, request.project_id, request.environment.value, tools)
    summary = _summary(new_id("ing"), request, report, plan, applied)
    await uow.ingest_runs.add(
        IngestRun(
            ingest_id=summary.ingest_id,
            project_id=request.project_id,
            environment=request.environment,
            idempotency_key=request.idempotency_key,
            content_hash=digest,
            format=report.format,
            scope=request.scope,
            summary=summary,
            changes=applied.ids,
            created_by=uow.principal.subject_id,
            created_at=now,
        )
    )
    await audit_ingest(
        uow,
        summary,
        applied.ids,
        applied.changes,
        source_name=request.source_name,
        content_hash=digest,
    )
    return summary


async def _replay(uow: UnitOfWork, request: IngestRequest, digest: str) -> IngestSummary | None:
    """The stored summary of an earlier identical request, if this is a retry."""
    if request.idempotency_key is None:
        return None
    run = await uow.ingest_runs.by_idempotency_key(request.idempotency_key)
    if run is None:
        return None
    first = (run.content_hash, run.project_id, run.environment, run.scope)
    if first != (digest, request.project_id, request.environment, request.scope):
        raise IdempotencyConflict(
            "this idempotency key was used for a different report or target",
            idempotency_key=request.idempotency_key,
            ingest_id=run.ingest_id,
        )
    return run.summary.model_copy(update={"idempotent_replay": True})


def _read_all(hashed: _Hashed, request: IngestRequest, limits: IngestLimits) -> _Report:
    """Every record of the report: parsing ends (or fails) before anything is written."""
    hashed.file.seek(hashed.start)
    with read_report(
        hashed.file, source_name=request.source_name, format=request.format, limits=limits
    ) as report:
        return _Report(report.format, report.info, list(report.items))


def _summary(
    ingest_id: str, request: IngestRequest, report: _Report, plan: Plan, applied: Applied
) -> IngestSummary:
    ids = applied.ids
    quarantine = (*plan.quarantine, *applied.quarantine)
    return IngestSummary(
        ingest_id=ingest_id,
        project_id=request.project_id,
        environment=request.environment,
        format=report.format,
        scope=request.scope,
        tool_names=tuple(sorted(report.info.tool_names)),
        created=len(ids.created),
        updated=len(ids.updated),
        unchanged=plan.unchanged,
        reopened=len(ids.reopened),
        resolved_by_rescan=len(ids.resolved),
        duplicates=plan.duplicates + report.info.duplicates_dropped,
        quarantined=len(quarantine),
        quarantine=quarantine,
        scan_errors=tuple(e[:500] for e in report.info.scan_errors[:_SCAN_ERRORS_KEPT]),
        resolution=applied.resolution,
    )


def _hash(source: BinaryIO, source_name: str, limits: IngestLimits) -> _Hashed:
    """``source`` hashed and rewound, or (unseekable) spooled to a temporary file."""
    if source.seekable():
        start = source.tell()
        if source.seek(0, os.SEEK_END) - start > limits.max_bytes:
            raise _too_big(source_name, limits)
        source.seek(start)
        digest = hashlib.sha256()
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
        return _Hashed(source, start, digest.hexdigest(), owned=False)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 -- closed by _hashed
    try:
        digest, size = hashlib.sha256(), 0
        while chunk := source.read(_CHUNK):
            size += len(chunk)
            if size > limits.max_bytes:
                raise _too_big(source_name, limits)
            digest.update(chunk)
            spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    return _Hashed(spool, 0, digest.hexdigest(), owned=True)


@asynccontextmanager
async def _hashed(
    source: BinaryIO, source_name: str, limits: IngestLimits
) -> AsyncIterator[_Hashed]:
    hashed = await anyio.to_thread.run_sync(_hash, source, source_name, limits)
    try:
        yield hashed
    finally:
        if hashed.owned:
            hashed.file.close()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a report is read, classified and written.

    Building 100,000 findings allocates millions of small objects, and every
    full collection walks all of them: that tripled the time of a 100k-result
    ingest. Nothing built here forms reference cycles, so reference counting
    alone frees it; the collector runs again (if it was on) as soon as the
    block ends, on error too.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _too_big(source_name: str, limits: IngestLimits) -> LimitExceeded:
    return LimitExceeded(
        f"{source_name}: report is larger than {limits.max_bytes} bytes",
        source=source_name,
        limit="max_bytes",
        max_bytes=limits.max_bytes,
    )
