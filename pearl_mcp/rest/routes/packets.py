"""Task packets: the contract's generate, and PeaRL's loop (claim, work, report).

``POST /projects/{id}/task-packets`` cuts a context packet for a described
task (:func:`pearl_core.generate_task_packet`: it grants no paths or
commands); remediation packets come from ``remediation-specs/generate``.
The loop operations are PeaRL's own and answer in its full shape: an agent
claims a packet (a lease of ``PEARL_LEASE_TTL_S``), keeps the lease with
heartbeats, asks the guard rails before every action (``check-action``:
``allow``, ``deny`` or ``needs_approval``, every answer in the decision log),
and reports the outcome with evidence; or releases the packet.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import JSONResponse

from pearl_core import (
    AgentAction,
    TaskPacket,
    TaskPacketStatus,
    check_action,
    claim_task_packet,
    generate_task_packet,
    get_task_packet,
    heartbeat_task_packet,
    list_task_packets,
    release_task_packet,
    report_outcome,
)
from pearl_mcp.rest.deps import (
    Caller,
    IdempotencyKey,
    read_model,
    read_object,
    read_optional_model,
    trace_header,
)
from pearl_mcp.rest.openapi import ERRORS, body, listing, returns
from pearl_mcp.rest.routes.projects import ProjectId
from pearl_mcp.rest.shapes import View, items, respond
from pearl_mcp.rest.wire import GenerateTaskPacketBody, ReleaseBody

__all__ = ["router"]

router = APIRouter(tags=["TaskPackets"], dependencies=[Depends(trace_header)], responses=ERRORS)

PacketId = Annotated[str, Path(pattern=r"^tp_[A-Za-z0-9_-]+$", max_length=128)]
GUARD_RESULT = {
    "type": "object",
    "description": "decision (allow, deny, needs_approval), reasons, approval_triggers, "
    "action_digest, decision_id, denied_attempts, lease_revoked, approval_request_id",
}


@router.post(
    "/projects/{project_id}/task-packets",
    operation_id="generateTaskPacket",
    summary="Generate task-scoped context packet",
    status_code=201,
    openapi_extra=body(GenerateTaskPacketBody),
    responses=returns(201, TaskPacket, "Task packet generated"),
)
async def generate(
    project_id: ProjectId,
    request: Request,
    call: Caller,
    idempotency_key: IdempotencyKey = None,
    view: View = "contract",
) -> JSONResponse:
    task = await read_model(request, GenerateTaskPacketBody)
    pearl = call.runtime.pearl
    packet = await generate_task_packet(
        call.uow(),
        project_id,
        task,
        clock=pearl.clock,
        signer=pearl.signer,
        packet_ttl=pearl.settings.work.packet_ttl,
        idempotency_key=idempotency_key,
    )
    location = f"/api/v1/task-packets/{packet.task_packet_id}"
    return respond(packet, 201, view=view, headers={"Location": location})


@router.get(
    "/projects/{project_id}/task-packets",
    operation_id="listTaskPackets",
    summary="List a project's task packets (PeaRL)",
    responses=returns(200, listing(TaskPacket), "Task packets, oldest first"),
)
async def list_(
    project_id: ProjectId,
    call: Caller,
    status: Annotated[list[TaskPacketStatus] | None, Query()] = None,
) -> JSONResponse:
    packets = await list_task_packets(call.uow(), project_id=project_id, statuses=status)
    return respond(items(packets))


@router.get(
    "/task-packets/{task_packet_id}",
    operation_id="getTaskPacket",
    summary="Get a task packet (PeaRL)",
    responses=returns(200, TaskPacket, "The packet, with its lease"),
)
async def read(task_packet_id: PacketId, call: Caller) -> JSONResponse:
    return respond(await get_task_packet(call.uow(), task_packet_id))


@router.post(
    "/task-packets/{task_packet_id}/claim",
    operation_id="claimTaskPacket",
    summary="Claim the packet: a lease for the caller (PeaRL)",
    responses=returns(200, TaskPacket, "Claimed (or the caller's lease renewed)"),
)
async def claim(task_packet_id: PacketId, call: Caller) -> JSONResponse:
    pearl = call.runtime.pearl
    packet = await claim_task_packet(
        call.uow(), task_packet_id, clock=pearl.clock, lease_ttl=pearl.settings.work.lease_ttl
    )
    return respond(packet)


@router.post(
    "/task-packets/{task_packet_id}/heartbeat",
    operation_id="heartbeatTaskPacket",
    summary="Extend the caller's lease (PeaRL)",
    responses=returns(200, TaskPacket, "Lease extended"),
)
async def heartbeat(task_packet_id: PacketId, call: Caller) -> JSONResponse:
    pearl = call.runtime.pearl
    packet = await heartbeat_task_packet(
        call.uow(), task_packet_id, clock=pearl.clock, lease_ttl=pearl.settings.work.lease_ttl
    )
    return respond(packet)


@router.post(
    "/task-packets/{task_packet_id}/release",
    operation_id="releaseTaskPacket",
    summary="Give the packet back (PeaRL)",
    openapi_extra=body(ReleaseBody, required=False),
    responses=returns(200, TaskPacket, "Released: available again"),
)
async def release(task_packet_id: PacketId, request: Request, call: Caller) -> JSONResponse:
    given = await read_optional_model(request, ReleaseBody)
    reason = None if given is None else given.reason
    packet = await release_task_packet(
        call.uow(), task_packet_id, clock=call.runtime.pearl.clock, reason=reason
    )
    return respond(packet)


@router.post(
    "/task-packets/{task_packet_id}/check-action",
    operation_id="checkAction",
    summary="Ask the guard rails whether an action may run now (PeaRL)",
    openapi_extra=body(AgentAction),
    responses=returns(200, GUARD_RESULT, "The decision (logged)"),
)
async def guard(task_packet_id: PacketId, request: Request, call: Caller) -> JSONResponse:
    action = await read_model(request, AgentAction)
    runtime = call.runtime
    result = await check_action(
        call.uow(),
        runtime.engine,
        task_packet_id,
        action,
        clock=runtime.pearl.clock,
        mask=runtime.pearl.decision_mask,
        max_denied_attempts=runtime.pearl.settings.work.max_denied_attempts,
        fast=runtime.fast_path,
    )
    return respond(result.to_dict())


@router.post(
    "/task-packets/{task_packet_id}/outcome",
    operation_id="reportOutcome",
    summary="Report the outcome with evidence (PeaRL)",
    openapi_extra=body({"$ref": "#/components/schemas/OutcomeReportRequest"}),
    responses=returns(200, TaskPacket, "Recorded: submitted, or available again"),
)
async def outcome(task_packet_id: PacketId, request: Request, call: Caller) -> JSONResponse:
    report = await read_object(request)
    packet = await report_outcome(
        call.uow(), task_packet_id, report, clock=call.runtime.pearl.clock
    )
    return respond(packet)
