"""Exceptions (requested, never granted, here) and reports.

``POST /exceptions`` stores a *pending* request by the caller
(:func:`pearl_core.request_exception`): ``status``, ``approved_by`` and
``requested_by`` in the body are ignored, so posting an "active" record does
not waive anything. It must expire, in the future. ``Idempotency-Key``: a
retry returns the stored request; another request under the key is 409.

``POST /projects/{id}/reports/generate`` builds the report synchronously
(200, ``status: ready``; the contract's 202 job path is not needed) and
stores it; ``Idempotency-Key`` returns the stored report on a retry.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import JSONResponse

from pearl_core import (
    ExceptionRecord,
    Report,
    ReportRequest,
    generate_report,
    list_exceptions,
    request_exception,
)
from pearl_mcp.rest.deps import Caller, IdempotencyKey, read_model, trace_header
from pearl_mcp.rest.openapi import ERRORS, body, listing, returns
from pearl_mcp.rest.routes.projects import ProjectId
from pearl_mcp.rest.shapes import View, items, respond
from pearl_mcp.rest.wire import ExceptionBody

__all__ = ["router"]

router = APIRouter(dependencies=[Depends(trace_header)], responses=ERRORS)


@router.post(
    "/exceptions",
    tags=["Exceptions"],
    operation_id="createException",
    summary="Create or request a policy exception",
    status_code=201,
    openapi_extra=body(ExceptionBody),
    responses=returns(201, ExceptionRecord, "Exception requested (pending)"),
)
async def create(
    request: Request, call: Caller, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    command = await read_model(request, ExceptionBody)
    record = await request_exception(
        call.uow(), command, clock=call.runtime.pearl.clock, idempotency_key=idempotency_key
    )
    return respond(record, 201, view="contract")


@router.get(
    "/exceptions",
    tags=["Exceptions"],
    operation_id="listExceptions",
    summary="List exceptions (PeaRL)",
    responses=returns(200, listing(ExceptionRecord), "Exceptions, oldest first"),
)
async def list_(
    call: Caller,
    project_id: Annotated[str | None, Query(max_length=128)] = None,
) -> JSONResponse:
    return respond(items(await list_exceptions(call.uow(), project_id=project_id)))


@router.post(
    "/projects/{project_id}/reports/generate",
    tags=["Reports"],
    operation_id="generateReport",
    summary="Generate report",
    openapi_extra=body(ReportRequest),
    responses=returns(200, Report, "Report generated"),
)
async def report(
    project_id: ProjectId,
    request: Request,
    call: Caller,
    idempotency_key: IdempotencyKey = None,
    view: View = "contract",
) -> JSONResponse:
    command = await read_model(request, ReportRequest)
    built = await generate_report(
        call.uow(),
        project_id,
        command,
        clock=call.runtime.pearl.clock,
        idempotency_key=idempotency_key,
    )
    return respond(built, view=view)
