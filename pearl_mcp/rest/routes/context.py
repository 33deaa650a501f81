"""Compiling context (as a job), reading jobs, and reading the compiled package.

``compile-context`` answers 202 with the job, as the contract models it; PeaRL
runs the compile within the request, so the job it returns has already
``succeeded`` (or ``failed``/``partial``, with the typed error of each
environment that did not compile), and ``GET /jobs/{job_id}`` reads it back.
The contract's compile request names no environment: PeaRL compiles every
environment the project has a profile for, or only ``environment`` (a PeaRL
extension field) when given.

``compiled-package`` returns the newest package of ``?environment=`` (a
PeaRL query parameter), or without it the newest of any environment.
Answers are contract-shaped by default; ``?view=pearl`` keeps the package's
signature, key id and input versions, which an agent needs to verify it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import JSONResponse

from pearl_core import (
    CompiledContextPackage,
    Environment,
    Job,
    NotFound,
    PackageNotFound,
    ValidationFailed,
    compile_context_job,
    get_job,
    latest_package,
)
from pearl_mcp.rest.deps import Call, Caller, IdempotencyKey, read_model, trace_header
from pearl_mcp.rest.openapi import ERRORS, body, returns
from pearl_mcp.rest.routes.projects import ProjectId
from pearl_mcp.rest.shapes import View, respond
from pearl_mcp.rest.wire import CompileBody

__all__ = ["router"]

router = APIRouter(dependencies=[Depends(trace_header)], responses=ERRORS)

JobId = Annotated[str, Path(pattern=r"^job_[A-Za-z0-9_-]+$", max_length=128)]


@router.post(
    "/projects/{project_id}/compile-context",
    tags=["ContextCompile"],
    operation_id="compileContext",
    summary="Compile layered context into project artifacts and canonical package",
    status_code=202,
    openapi_extra=body(CompileBody),
    responses=returns(202, Job, "Compile job accepted (and, in PeaRL, already run)"),
)
async def compile_context(
    project_id: ProjectId,
    request: Request,
    call: Caller,
    idempotency_key: IdempotencyKey = None,
    view: View = "contract",
) -> JSONResponse:
    command = await read_model(request, CompileBody)
    if command.project_id not in (None, project_id):
        raise ValidationFailed("project_id differs from the path's project", field="project_id")
    runtime = call.runtime
    job = await compile_context_job(
        call.uow,
        project_id,
        environments=None if command.environment is None else [command.environment],
        clock=runtime.pearl.clock,
        signer=runtime.pearl.signer,
        bundle_hash=runtime.engine.bundle_hash,
        idempotency_key=idempotency_key,
    )
    return respond(job, 202, view=view, headers={"Location": f"/api/v1/jobs/{job.job_id}"})


@router.get(
    "/jobs/{job_id}",
    tags=["Jobs"],
    operation_id="getJobStatus",
    summary="Get async job status",
    responses=returns(200, Job, "Job status"),
)
async def job_status(job_id: JobId, call: Caller, view: View = "contract") -> JSONResponse:
    return respond(await get_job(call.uow(), job_id), view=view)


@router.get(
    "/projects/{project_id}/compiled-package",
    tags=["ContextCompile"],
    operation_id="getCompiledPackage",
    summary="Get latest compiled context package",
    responses=returns(200, CompiledContextPackage, "Compiled package"),
)
async def compiled_package(
    project_id: ProjectId,
    call: Caller,
    environment: Annotated[
        Environment | None, Query(description="PeaRL: this environment's newest package.")
    ] = None,
    view: View = "contract",
) -> JSONResponse:
    if environment is not None:
        package = await latest_package(call.uow(), project_id, environment)
    else:
        package = await _newest(call, project_id)
    return respond(package, view=view)


async def _newest(call: Call, project_id: str) -> CompiledContextPackage:
    found = []
    for environment in Environment:
        try:
            found.append(await latest_package(call.uow(), project_id, environment))
        except NotFound:
            continue
    if not found:
        raise PackageNotFound(project_id)
    return max(found, key=lambda p: p.package_metadata.integrity.compiled_at or _EPOCH)


_EPOCH = datetime.min.replace(tzinfo=UTC)
