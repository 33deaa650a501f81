"""Remediation specs from findings (and, for work an agent may do, signed packets).

PeaRL generates for a project environment at once
(:func:`pearl_core.generate_remediation_specs`: every open finding no live
packet covers, grouped into units one change fixes, each unit's eligibility
decided by policy and logged). The contract asks for the spec of some
findings, so the answer is the spec covering the first of ``finding_refs``
that any spec covers; the other specs and the packets cut for agent-eligible
specs are stored too (``GET /projects/{id}/task-packets`` lists the packets).
When no spec covers any of them (the findings are not open in that
environment, or a live packet already covers them) the answer is 409
``conflict``.

Generation is deterministic (the same findings under the same policy give the
same spec ids, and a stored spec is kept), so a retry is harmless; the
``Idempotency-Key`` header is accepted for the contract and needs no record.
``generation_mode`` is accepted; PeaRL makes no model calls, so both modes
are deterministic.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import JSONResponse

from pearl_core import Conflict, RemediationSpec, generate_remediation_specs
from pearl_mcp.rest.deps import Caller, IdempotencyKey, read_model, trace_header
from pearl_mcp.rest.openapi import ERRORS, body, returns
from pearl_mcp.rest.routes.projects import ProjectId
from pearl_mcp.rest.shapes import respond
from pearl_mcp.rest.wire import RemediationBody

__all__ = ["router"]

router = APIRouter(tags=["Remediation"], dependencies=[Depends(trace_header)], responses=ERRORS)


@router.post(
    "/projects/{project_id}/remediation-specs/generate",
    operation_id="generateRemediationSpec",
    summary="Generate remediation spec from normalized findings",
    status_code=201,
    openapi_extra=body(RemediationBody),
    responses=returns(201, RemediationSpec, "Remediation spec generated"),
)
async def generate(
    project_id: ProjectId, request: Request, call: Caller, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    command = await read_model(request, RemediationBody)
    runtime = call.runtime
    pearl = runtime.pearl
    generated = await generate_remediation_specs(
        call.uow(),
        runtime.engine,
        project_id,
        command.environment,
        clock=pearl.clock,
        mask=pearl.decision_mask,
        signer=pearl.signer,
        packet_ttl=pearl.settings.work.packet_ttl,
    )
    spec = _covering(generated.specs, command.finding_refs)
    if spec is None:
        raise Conflict(
            "no remediation spec covers these findings: they are not open in this "
            "environment, or a live task packet already covers them",
            finding_refs=command.finding_refs[:50],
        )
    return respond(spec, 201, view="contract")


def _covering(specs: tuple[RemediationSpec, ...], refs: list[str]) -> RemediationSpec | None:
    for ref in refs:
        for spec in specs:
            if ref in spec.finding_refs:
                return spec
    return None
