"""Org baselines, application specs and environment profiles: versioned documents."""

from __future__ import annotations

from pearl_core.domain.context import (
    ApplicationSpec,
    DocumentVersion,
    EnvironmentProfile,
    OrgBaseline,
)
from pearl_core.domain.enums import Environment
from pearl_core.errors import NotFound
from pearl_core.store.repositories import _versions as versions
from pearl_core.store.repositories._scope import Scope, fetch_docs, parse
from pearl_core.store.tables import context_documents

__all__ = [
    "SqlApplicationSpecRepository",
    "SqlEnvironmentProfileRepository",
    "SqlOrgBaselineRepository",
]


class SqlOrgBaselineRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def put(
        self, baseline: OrgBaseline, *, reason: str, project_id: str | None = None
    ) -> DocumentVersion:
        return await versions.put_version(
            self._scope,
            "org_baseline",
            baseline.baseline_id,
            baseline,
            reason=reason,
            project_id=project_id,
        )

    async def get(self, baseline_id: str, *, version: int | None = None) -> OrgBaseline:
        doc = await versions.get_doc(self._scope, "org_baseline", baseline_id, version)
        if doc is None:
            raise NotFound(baseline_id)
        return parse(OrgBaseline, doc)

    async def effective(self, project_id: str | None = None) -> OrgBaseline:
        doc = await versions.effective_doc(self._scope, "org_baseline", project_id)
        if doc is None:
            raise NotFound(project_id or "org baseline")
        return parse(OrgBaseline, doc)

    async def history(self, baseline_id: str) -> list[DocumentVersion]:
        return await versions.history(self._scope, "org_baseline", baseline_id)


class SqlApplicationSpecRepository:
    """One spec per project: the document id is the project id."""

    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def put(self, project_id: str, spec: ApplicationSpec, *, reason: str) -> DocumentVersion:
        return await versions.put_version(
            self._scope, "app_spec", project_id, spec, reason=reason, project_id=project_id
        )

    async def get(self, project_id: str, *, version: int | None = None) -> ApplicationSpec:
        doc = await versions.get_doc(self._scope, "app_spec", project_id, version)
        if doc is None:
            raise NotFound(project_id)
        return parse(ApplicationSpec, doc)

    async def history(self, project_id: str) -> list[DocumentVersion]:
        return await versions.history(self._scope, "app_spec", project_id)


class SqlEnvironmentProfileRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def put(
        self, profile: EnvironmentProfile, *, reason: str, project_id: str | None = None
    ) -> DocumentVersion:
        return await versions.put_version(
            self._scope,
            "environment_profile",
            profile.profile_id,
            profile,
            reason=reason,
            project_id=project_id,
            environment=profile.environment.value,
        )

    async def get(self, profile_id: str, *, version: int | None = None) -> EnvironmentProfile:
        doc = await versions.get_doc(self._scope, "environment_profile", profile_id, version)
        if doc is None:
            raise NotFound(profile_id)
        return parse(EnvironmentProfile, doc)

    async def effective(
        self, environment: Environment, project_id: str | None = None
    ) -> EnvironmentProfile:
        doc = await versions.effective_doc(
            self._scope, "environment_profile", project_id, environment.value
        )
        if doc is None:
            raise NotFound(environment.value)
        return parse(EnvironmentProfile, doc)

    async def history(self, profile_id: str) -> list[DocumentVersion]:
        return await versions.history(self._scope, "environment_profile", profile_id)

    async def list(self) -> list[EnvironmentProfile]:
        statement = versions.current_versions(self._scope, "environment_profile").order_by(
            context_documents.c.environment, context_documents.c.doc_id
        )
        docs = await fetch_docs(self._scope, statement)
        return [parse(EnvironmentProfile, doc) for doc in docs]
