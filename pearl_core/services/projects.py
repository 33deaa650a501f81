"""Projects: the unit every finding, packet and gate belongs to."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from pearl_core.authz import Permission, authorize
from pearl_core.clock import Clock
from pearl_core.domain.base import PearlModel
from pearl_core.domain.enums import BusinessCriticality, ExternalExposure
from pearl_core.domain.project import Project
from pearl_core.errors import ValidationFailed
from pearl_core.ids import new_id
from pearl_core.ports import UnitOfWork

__all__ = ["NewProject", "create_project", "get_project", "list_projects", "update_project"]


class NewProject(PearlModel):
    """What a caller supplies to create a project; PeaRL fills in the rest."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    project_id: Annotated[str | None, Field(pattern=r"^proj_[A-Za-z0-9_-]{1,120}$")] = None
    description: Annotated[str | None, Field(max_length=5000)] = None
    owner_team: Annotated[str, Field(min_length=1, max_length=200)] = "unassigned"
    business_criticality: BusinessCriticality = BusinessCriticality.MODERATE
    external_exposure: ExternalExposure = ExternalExposure.INTERNAL_ONLY
    ai_enabled: bool = False


async def create_project(uow: UnitOfWork, command: NewProject, *, clock: Clock) -> Project:
    """Create a project in the principal's org. ``already_exists`` if the id is taken."""
    authorize(uow.principal, Permission.PROJECT_WRITE)
    now = clock.now()
    project = Project(
        project_id=command.project_id or new_id("proj"),
        name=command.name,
        description=command.description,
        owner_team=command.owner_team,
        business_criticality=command.business_criticality,
        external_exposure=command.external_exposure,
        ai_enabled=command.ai_enabled,
        created_at=now,
        updated_at=now,
    )
    async with uow:
        await uow.orgs.get()
        await uow.projects.add(project)
        await uow.audit.record(
            "project.created",
            resource_type="project",
            resource_id=project.project_id,
            details={"name": project.name},
        )
        await uow.commit()
    return project


async def update_project(
    uow: UnitOfWork, project_id: str, command: NewProject, *, clock: Clock
) -> Project:
    """Replace the project's descriptive fields (name, description, owner team,
    criticality, exposure, AI use); its id and creation time stay. A body that
    names another project id is ``validation_failed``; audited with the fields
    that changed."""
    authorize(uow.principal, Permission.PROJECT_WRITE)
    if command.project_id is not None and command.project_id != project_id:
        raise ValidationFailed("the body names another project than the path", field="project_id")
    async with uow:
        current = await uow.projects.get(project_id)
        fields = command.model_dump(exclude={"project_id"})
        changed = sorted(k for k, v in fields.items() if getattr(current, k) != v)
        updated = current.model_copy(update={**fields, "updated_at": clock.now()})
        await uow.projects.update(updated)
        await uow.audit.record(
            "project.updated",
            resource_type="project",
            resource_id=project_id,
            details={"changed": changed},
        )
        await uow.commit()
    return updated


async def list_projects(uow: UnitOfWork, *, limit: int = 100, offset: int = 0) -> list[Project]:
    authorize(uow.principal, Permission.PROJECT_READ)
    async with uow.reading():
        return await uow.projects.list(limit=limit, offset=offset)


async def get_project(uow: UnitOfWork, project_id: str) -> Project:
    authorize(uow.principal, Permission.PROJECT_READ)
    async with uow.reading():
        return await uow.projects.get(project_id)
