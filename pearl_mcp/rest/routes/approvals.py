"""Approvals: an agent asks for one gated action; a human reviewer decides, once.

A request binds to one action under one packet (``task_packet_id`` and
``action`` in the body, PeaRL's fields): PeaRL judges the action again and
files a request only when the guard rails answer ``needs_approval`` (else 409
``invalid_transition``); asking again while one is pending returns it, which
makes retries safe without an ``Idempotency-Key`` record. Deciding needs
``approvals:decide``: a human reviewer who is neither the requester nor the
owner of the requesting agent (403 ``human_required``, ``forbidden`` or
``requester_cannot_decide``), on a pending, unexpired request (409
``invalid_transition`` otherwise). Rejecting needs a ``reason``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import JSONResponse

from pearl_core import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStatus,
    ValidationFailed,
    decide_approval,
    get_approval,
    list_approvals,
    request_approval,
)
from pearl_mcp.rest.deps import Caller, IdempotencyKey, read_model, trace_header
from pearl_mcp.rest.openapi import ERRORS, body, listing, returns
from pearl_mcp.rest.shapes import View, items, respond
from pearl_mcp.rest.wire import ApprovalRequestBody, DecisionBody

__all__ = ["router"]

router = APIRouter(tags=["Approvals"], dependencies=[Depends(trace_header)], responses=ERRORS)

ApprovalId = Annotated[str, Path(pattern=r"^appr_[A-Za-z0-9_-]+$", max_length=128)]
APPROVAL_VIEW = {
    "type": "object",
    "properties": {
        "request": {"$ref": "#/components/schemas/ApprovalRequest"},
        "decision": {
            "anyOf": [{"$ref": "#/components/schemas/ApprovalDecision"}, {"type": "null"}]
        },
    },
    "required": ["request", "decision"],
}


@router.post(
    "/approvals/requests",
    operation_id="createApprovalRequest",
    summary="Create approval request",
    status_code=201,
    openapi_extra=body(ApprovalRequestBody),
    responses=returns(201, ApprovalRequest, "Approval request created (or the pending one)"),
)
async def create(
    request: Request, call: Caller, idempotency_key: IdempotencyKey = None, view: View = "contract"
) -> JSONResponse:
    command = await read_model(request, ApprovalRequestBody)
    runtime = call.runtime
    pearl = runtime.pearl
    filed = await request_approval(
        call.uow(),
        runtime.engine,
        command.task_packet_id,
        command.action,
        clock=pearl.clock,
        mask=pearl.decision_mask,
        ttl=pearl.settings.work.approval_ttl,
    )
    location = f"/api/v1/approvals/{filed.approval_request_id}"
    return respond(filed, 201, view=view, headers={"Location": location})


@router.get(
    "/approvals/requests",
    operation_id="listApprovalRequests",
    summary="List approval requests (PeaRL)",
    responses=returns(200, listing(ApprovalRequest), "Requests, oldest first"),
)
async def list_(
    call: Caller,
    status: Annotated[list[ApprovalStatus] | None, Query()] = None,
    project_id: Annotated[str | None, Query(max_length=128)] = None,
) -> JSONResponse:
    found = await list_approvals(call.uow(), statuses=status)
    return respond(items([r for r in found if project_id in (None, r.project_id)]))


@router.get(
    "/approvals/{approval_request_id}",
    operation_id="getApproval",
    summary="Get an approval request and its decision (PeaRL)",
    responses=returns(200, APPROVAL_VIEW, "The request, and its decision once decided"),
)
async def read(approval_request_id: ApprovalId, call: Caller) -> JSONResponse:
    found = await get_approval(call.uow(), approval_request_id)
    return respond({"schema_version": "1.2", **found.to_dict()})


@router.post(
    "/approvals/{approval_request_id}/decide",
    operation_id="decideApproval",
    summary="Record approval decision",
    openapi_extra=body(DecisionBody),
    responses=returns(200, ApprovalDecision, "Decision recorded"),
)
async def decide(approval_request_id: ApprovalId, request: Request, call: Caller) -> JSONResponse:
    command = await read_model(request, DecisionBody)
    if command.approval_request_id not in (None, approval_request_id):
        raise ValidationFailed(
            "approval_request_id differs from the path's request", field="approval_request_id"
        )
    decided = await decide_approval(
        call.uow(),
        approval_request_id,
        command.decision,
        reason=command.reason,
        clock=call.runtime.pearl.clock,
    )
    return respond(decided.decision or decided.request)
