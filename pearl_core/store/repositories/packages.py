"""Compiled context packages: immutable, one new revision per compile."""

from __future__ import annotations

from sqlalchemy import func, select

from pearl_core.domain.context import CompiledContextPackage
from pearl_core.domain.enums import Environment
from pearl_core.errors import AlreadyExists, Conflict, NotFound
from pearl_core.store.repositories._scope import (
    Scope,
    dump,
    fetch_doc,
    insert_new,
    parse,
    project_parent,
)
from pearl_core.store.tables import compiled_packages

__all__ = ["SqlCompiledPackageRepository"]

_table = compiled_packages
_ATTEMPTS = 3


class SqlCompiledPackageRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def add(self, package: CompiledContextPackage) -> None:
        """Store ``package`` as the newest revision for its project and environment.

        Two concurrent compiles may pick the same revision; the loser counts
        again (its insert waited for the winner's commit) and retries.
        """
        identity = package.project_identity
        for _ in range(_ATTEMPTS):
            values = {
                "package_id": package.package_id,
                "project_id": identity.project_id,
                "environment": identity.environment.value,
                "revision": await self._next_revision(identity.project_id, identity.environment),
                "stored_at": self._scope.clock.now(),
                "doc": dump(package),
            }
            parent = project_parent(identity.project_id)
            if await insert_new(self._scope, _table, values, parent=parent):
                return
            if await self._exists(package.package_id):
                raise AlreadyExists("the package already exists", id=package.package_id)
        raise Conflict("concurrent compiles kept taking the next revision", id=package.package_id)

    async def get(self, package_id: str) -> CompiledContextPackage:
        statement = select(_table.c.doc).where(
            self._scope.owns(_table), _table.c.package_id == package_id
        )
        doc = await fetch_doc(self._scope, statement)
        if doc is None:
            raise NotFound(package_id)
        return parse(CompiledContextPackage, doc)

    async def latest(
        self, project_id: str, environment: Environment
    ) -> CompiledContextPackage | None:
        statement = (
            select(_table.c.doc)
            .where(
                self._scope.owns(_table),
                _table.c.project_id == project_id,
                _table.c.environment == environment.value,
            )
            .order_by(_table.c.revision.desc())
        )
        doc = await fetch_doc(self._scope, statement)
        return None if doc is None else parse(CompiledContextPackage, doc)

    async def _next_revision(self, project_id: str, environment: Environment) -> int:
        statement = select(func.coalesce(func.max(_table.c.revision), 0) + 1).where(
            self._scope.owns(_table),
            _table.c.project_id == project_id,
            _table.c.environment == environment.value,
        )
        return int((await self._scope.execute(statement)).scalar_one())

    async def _exists(self, package_id: str) -> bool:
        statement = select(_table.c.package_id).where(
            self._scope.owns(_table), _table.c.package_id == package_id
        )
        return (await self._scope.execute(statement)).first() is not None
