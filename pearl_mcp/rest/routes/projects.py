"""Projects and their context documents (org baseline, app spec, environment profile).

A context document is policy: storing one needs ``policy:write`` (a human
admin) and a reason, sent as the ``X-Change-Reason`` header (the contract
bodies have no place for it); without one the answer is 403
``reason_required``. Each change becomes a new immutable version
(``X-Pearl-Document-Version`` says which); storing identical content again
changes nothing. Documents sent here are bound to the project.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Request
from starlette.responses import JSONResponse

from pearl_core import (
    ApplicationSpec,
    DocumentVersion,
    EnvironmentProfile,
    OrgBaseline,
    Project,
    create_project,
    get_project,
    put_app_spec,
    put_environment_profile,
    put_org_baseline,
    update_project,
)
from pearl_mcp.rest.deps import Caller, read_model, trace_header
from pearl_mcp.rest.openapi import ERRORS, body, returns
from pearl_mcp.rest.shapes import respond
from pearl_mcp.rest.wire import ProjectBody

__all__ = ["ProjectId", "router"]

router = APIRouter(tags=["Projects"], dependencies=[Depends(trace_header)], responses=ERRORS)

ProjectId = Annotated[str, Path(pattern=r"^proj_[A-Za-z0-9_-]+$", max_length=128)]
ChangeReason = Annotated[
    str | None,
    Header(
        alias="X-Change-Reason",
        max_length=2000,
        description="Why the policy changes (required; kept with the new version).",
    ),
]


@router.post(
    "/projects",
    operation_id="createProject",
    summary="Create or register a project",
    status_code=201,
    openapi_extra=body(ProjectBody),
    responses=returns(201, Project, "Project created"),
)
async def create(request: Request, call: Caller) -> JSONResponse:
    command = await read_model(request, ProjectBody)
    project = await create_project(call.uow(), command, clock=call.runtime.pearl.clock)
    return respond(project, 201, headers={"Location": f"/api/v1/projects/{project.project_id}"})


@router.get(
    "/projects/{project_id}",
    operation_id="getProject",
    summary="Get project",
    responses=returns(200, Project, "Project record"),
)
async def read(project_id: ProjectId, call: Caller) -> JSONResponse:
    return respond(await get_project(call.uow(), project_id))


@router.put(
    "/projects/{project_id}",
    operation_id="updateProject",
    summary="Update project",
    openapi_extra=body(ProjectBody),
    responses=returns(200, Project, "Updated"),
)
async def update(project_id: ProjectId, request: Request, call: Caller) -> JSONResponse:
    command = await read_model(request, ProjectBody)
    return respond(
        await update_project(call.uow(), project_id, command, clock=call.runtime.pearl.clock)
    )


def _stored(
    document: OrgBaseline | ApplicationSpec | EnvironmentProfile, version: DocumentVersion
) -> JSONResponse:
    return respond(document, headers={"X-Pearl-Document-Version": str(version.version)})


@router.post(
    "/projects/{project_id}/org-baseline",
    operation_id="upsertOrgBaselineForProject",
    summary="Attach or update org baseline for project",
    openapi_extra=body(OrgBaseline),
    responses=returns(200, OrgBaseline, "Org baseline stored"),
)
async def org_baseline(
    project_id: ProjectId, request: Request, call: Caller, reason: ChangeReason = None
) -> JSONResponse:
    baseline = await read_model(request, OrgBaseline)
    version = await put_org_baseline(call.uow(), baseline, reason or "", project_id=project_id)
    return _stored(baseline, version)


@router.post(
    "/projects/{project_id}/app-spec",
    operation_id="upsertApplicationSpec",
    summary="Attach or update application spec",
    openapi_extra=body(ApplicationSpec),
    responses=returns(200, ApplicationSpec, "Application spec stored"),
)
async def app_spec(
    project_id: ProjectId, request: Request, call: Caller, reason: ChangeReason = None
) -> JSONResponse:
    spec = await read_model(request, ApplicationSpec)
    version = await put_app_spec(call.uow(), project_id, spec, reason or "")
    return _stored(spec, version)


@router.post(
    "/projects/{project_id}/environment-profile",
    operation_id="upsertEnvironmentProfile",
    summary="Attach or update environment profile",
    openapi_extra=body(EnvironmentProfile),
    responses=returns(200, EnvironmentProfile, "Environment profile stored"),
)
async def environment_profile(
    project_id: ProjectId, request: Request, call: Caller, reason: ChangeReason = None
) -> JSONResponse:
    profile = await read_model(request, EnvironmentProfile)
    version = await put_environment_profile(
        call.uow(), profile, reason or "", project_id=project_id
    )
    return _stored(profile, version)
