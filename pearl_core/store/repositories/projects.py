"""Projects: the applications PeaRL governs."""

from __future__ import annotations

from sqlalchemy import func, select

from pearl_core.domain.project import Project
from pearl_core.errors import AlreadyExists, ProjectNotFound
from pearl_core.store.repositories._scope import (
    Scope,
    dump,
    fetch_doc,
    fetch_docs,
    insert_new,
    parse,
    update_row,
)
from pearl_core.store.tables import projects

__all__ = ["SqlProjectRepository"]


class SqlProjectRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def add(self, project: Project) -> None:
        values = {
            "project_id": project.project_id,
            "name": project.name,
            "updated_at": project.updated_at,
            "stored_at": self._scope.clock.now(),
            "doc": dump(project),
        }
        if not await insert_new(self._scope, projects, values):
            raise AlreadyExists("the project already exists", id=project.project_id)

    async def get(self, project_id: str) -> Project:
        statement = select(projects.c.doc).where(
            self._scope.owns(projects), projects.c.project_id == project_id
        )
        doc = await fetch_doc(self._scope, statement)
        if doc is None:
            raise ProjectNotFound(project_id)
        return parse(Project, doc)

    async def list(self, *, limit: int = 100, offset: int = 0) -> list[Project]:
        statement = (
            select(projects.c.doc)
            .where(self._scope.owns(projects))
            .order_by(projects.c.stored_at, projects.c.project_id)
            .limit(limit)
            .offset(offset)
        )
        return [parse(Project, doc) for doc in await fetch_docs(self._scope, statement)]

    async def count(self) -> int:
        statement = select(func.count()).select_from(projects).where(self._scope.owns(projects))
        return int((await self._scope.execute(statement)).scalar_one())

    async def update(self, project: Project) -> None:
        values = {"name": project.name, "updated_at": project.updated_at, "doc": dump(project)}
        key = {"project_id": project.project_id}
        if not await update_row(self._scope, projects, key, values):
            raise ProjectNotFound(project.project_id)
