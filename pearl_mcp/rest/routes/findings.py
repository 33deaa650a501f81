"""Findings: ingest a contract batch; list and read them (PeaRL's own reads).

Ingest answers 202 as the contract has it, after the batch is in: PeaRL
ingests within the request (:mod:`pearl_mcp.rest.findings_batch` says how a
batch becomes a report). ``Idempotency-Key`` is the ingest's: a retry with the
same key and batch returns the first answer and changes nothing; the key with
another batch is 409 ``conflict``. ``accepted_count`` counts every finding not
quarantined (new, updated, unchanged, reopened or a duplicate of another in
the batch); PeaRL normalises all it accepts. ``?view=pearl`` adds the full
ingest summary under ``ingest``.
"""

from __future__ import annotations

import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import JSONResponse

from pearl_core import (
    Environment,
    Finding,
    FindingStatus,
    IngestRequest,
    IngestSummary,
    RiskLevel,
    current_trace_id,
    get_finding,
    ingest_report,
    list_findings,
)
from pearl_mcp.rest.deps import Caller, IdempotencyKey, read_model, trace_header
from pearl_mcp.rest.findings_batch import FindingsIngestBody, target_of, to_sarif
from pearl_mcp.rest.openapi import ERRORS, body, listing, returns
from pearl_mcp.rest.shapes import View, full_dump, items, respond

__all__ = ["router"]

router = APIRouter(tags=["Findings"], dependencies=[Depends(trace_header)], responses=ERRORS)

FindingId = Annotated[str, Path(pattern=r"^find_[A-Za-z0-9_-]+$", max_length=128)]

RECEIPT: dict[str, Any] = {
    "type": "object",
    "properties": {
        name: {"type": kind}
        for name, kind in (
            ("schema_version", "string"),
            ("batch_id", "string"),
            ("accepted_count", "integer"),
            ("quarantined_count", "integer"),
            ("normalized_count", "integer"),
            ("trace_id", "string"),
            ("timestamp", "string"),
        )
    },
    "required": [
        "schema_version",
        "batch_id",
        "accepted_count",
        "quarantined_count",
        "trace_id",
        "timestamp",
    ],
}


@router.post(
    "/findings/ingest",
    operation_id="ingestFindings",
    summary="Ingest findings from external tools",
    status_code=202,
    openapi_extra=body(FindingsIngestBody),
    responses=returns(202, RECEIPT, "Batch accepted (and, in PeaRL, ingested)"),
)
async def ingest(
    request: Request, call: Caller, idempotency_key: IdempotencyKey = None, view: View = "contract"
) -> JSONResponse:
    pearl = call.runtime.pearl
    batch = await read_model(request, FindingsIngestBody, limit=pearl.ingest_limits.max_bytes)
    project_id, environment = target_of(batch)
    command = IngestRequest(
        project_id=project_id,
        environment=environment,
        source_name=f"findings batch {batch.source_batch.batch_id}",
        format="sarif",
        scope="partial",
        idempotency_key=idempotency_key,
    )
    summary = await ingest_report(
        call.uow(),
        command,
        io.BytesIO(to_sarif(batch)),
        clock=pearl.clock,
        limits=pearl.ingest_limits,
    )
    receipt = _receipt(batch.source_batch.batch_id, summary, pearl.clock.now().isoformat())
    if view == "pearl":
        receipt["ingest"] = full_dump(summary)
    return respond(receipt, 202)


def _receipt(batch_id: str, summary: IngestSummary, now: str) -> dict[str, Any]:
    accepted = (
        summary.created
        + summary.updated
        + summary.unchanged
        + summary.reopened
        + summary.duplicates
    )
    return {
        "schema_version": "1.2",
        "batch_id": batch_id,
        "accepted_count": accepted,
        "quarantined_count": summary.quarantined,
        "normalized_count": accepted,
        "trace_id": current_trace_id(),
        "timestamp": now,
    }


@router.get(
    "/findings",
    operation_id="listFindings",
    summary="List findings (PeaRL)",
    responses=returns(200, listing(Finding), "Findings, oldest first"),
)
async def list_(
    call: Caller,
    project_id: Annotated[str | None, Query(max_length=128)] = None,
    environment: Environment | None = None,
    status: Annotated[list[FindingStatus] | None, Query()] = None,
    severity: Annotated[list[RiskLevel] | None, Query()] = None,
    tool_name: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> JSONResponse:
    found = await list_findings(
        call.uow(),
        project_id=project_id,
        environment=environment,
        statuses=status,
        severities=severity,
        tool_name=tool_name,
        limit=limit,
        offset=offset,
    )
    return respond(items(found))


@router.get(
    "/findings/{finding_id}",
    operation_id="getFinding",
    summary="Get a finding (PeaRL)",
    responses=returns(200, Finding, "The finding, with its lifecycle"),
)
async def read(finding_id: FindingId, call: Caller) -> JSONResponse:
    return respond(await get_finding(call.uow(), finding_id))
