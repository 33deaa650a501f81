"""Project and context ports: projects, the versioned context documents (org
baselines, application specs, environment profiles) and the packages compiled
from them, and the findings ingested into a project with the runs that
ingested them.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from pearl_core.domain.context import (
    ApplicationSpec,
    CompiledContextPackage,
    DocumentVersion,
    EnvironmentProfile,
    OrgBaseline,
)
from pearl_core.domain.enums import Environment, FindingStatus, RiskLevel
from pearl_core.domain.findings import Finding
from pearl_core.domain.ingest import IngestRun
from pearl_core.domain.project import Project

__all__ = [
    "ApplicationSpecRepository",
    "CompiledPackageRepository",
    "EnvironmentProfileRepository",
    "FindingIndexEntry",
    "FindingRepository",
    "IngestRunRepository",
    "OrgBaselineRepository",
    "ProjectRepository",
]


class ProjectRepository(Protocol):
    async def add(self, project: Project) -> None:
        """Store a new project; ``AlreadyExists`` if the id is taken in this org."""
        ...

    async def get(self, project_id: str) -> Project:
        """The project; ``ProjectNotFound`` if absent in this org."""
        ...

    async def list(self, *, limit: int = 100, offset: int = 0) -> builtins.list[Project]: ...
    async def count(self) -> int: ...
    async def update(self, project: Project) -> None: ...


class OrgBaselineRepository(Protocol):
    """Versioned: each changed ``put`` stores a new immutable version."""

    async def put(
        self, baseline: OrgBaseline, *, reason: str, project_id: str | None = None
    ) -> DocumentVersion:
        """Store ``baseline`` (org-wide, or bound to one project). Identical content
        returns the current version and stores nothing."""
        ...

    async def get(self, baseline_id: str, *, version: int | None = None) -> OrgBaseline: ...
    async def effective(self, project_id: str | None = None) -> OrgBaseline:
        """The project's own baseline if it has one, else the org-wide one."""
        ...

    async def history(self, baseline_id: str) -> list[DocumentVersion]: ...


class ApplicationSpecRepository(Protocol):
    async def put(
        self, project_id: str, spec: ApplicationSpec, *, reason: str
    ) -> DocumentVersion: ...
    async def get(self, project_id: str, *, version: int | None = None) -> ApplicationSpec: ...
    async def history(self, project_id: str) -> list[DocumentVersion]: ...


class EnvironmentProfileRepository(Protocol):
    async def put(
        self, profile: EnvironmentProfile, *, reason: str, project_id: str | None = None
    ) -> DocumentVersion: ...
    async def get(self, profile_id: str, *, version: int | None = None) -> EnvironmentProfile: ...
    async def effective(
        self, environment: Environment, project_id: str | None = None
    ) -> EnvironmentProfile:
        """The project's profile for ``environment`` if any, else the org-wide one."""
        ...

    async def list(self) -> builtins.list[EnvironmentProfile]:
        """Current version of every profile in the org."""
        ...

    async def history(self, profile_id: str) -> builtins.list[DocumentVersion]: ...


class CompiledPackageRepository(Protocol):
    async def add(self, package: CompiledContextPackage) -> None: ...
    async def get(self, package_id: str) -> CompiledContextPackage: ...
    async def latest(
        self, project_id: str, environment: Environment
    ) -> CompiledContextPackage | None: ...


@dataclass(frozen=True, slots=True)
class FindingIndexEntry:
    """What ingest needs to know about a stored finding, without its document.

    ``content_hash`` is :meth:`Finding.content_digest` as stored (``None`` for a
    row written before PeaRL kept it: the next scan that sees it rewrites it).
    """

    finding_id: str
    fingerprint: str
    cross_tool_key: str | None
    tool_name: str
    status: FindingStatus
    content_hash: str | None


class FindingRepository(Protocol):
    async def add(self, finding: Finding) -> None:
        """Store a new finding; ``AlreadyExists`` if its id, or its fingerprint in
        the project environment, is taken; ``ProjectNotFound`` without its project."""
        ...

    async def add_many(self, findings: Sequence[Finding]) -> None:
        """Store new findings, all or none: ``AlreadyExists`` (``details["ids"]``
        naming the refused ones) or ``ProjectNotFound``, and nothing of the batch kept."""
        ...

    async def get(self, finding_id: str) -> Finding: ...
    async def by_ids(self, finding_ids: Sequence[str]) -> builtins.list[Finding]:
        """The org's findings with these ids, in the order asked; missing ids are skipped."""
        ...

    async def by_fingerprint(
        self, project_id: str, environment: Environment, fingerprint: str
    ) -> Finding | None: ...
    async def scope_index(
        self, project_id: str, environment: Environment, *, for_update: bool = False
    ) -> builtins.list[FindingIndexEntry]:
        """Every finding of the project environment, lean (no documents parsed), in
        listing order: what an ingest matches a report against.

        ``for_update`` also locks the project until the unit of work ends, so
        two ingests into one project run one after the other (PostgreSQL:
        ``FOR UPDATE`` on the project row; SQLite's write lock and the
        in-memory store's commit-time conflict check already serialise them).
        """
        ...

    async def list(
        self,
        *,
        project_id: str | None = None,
        environment: Environment | None = None,
        statuses: Sequence[FindingStatus] | None = None,
        severities: Sequence[RiskLevel] | None = None,
        tool_name: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> builtins.list[Finding]:
        """Findings matching every given filter (``None``: any; an empty sequence
        matches nothing), oldest stored first."""
        ...

    async def count(
        self,
        *,
        project_id: str | None = None,
        environment: Environment | None = None,
        statuses: Sequence[FindingStatus] | None = None,
        severities: Sequence[RiskLevel] | None = None,
        tool_name: str | None = None,
    ) -> int: ...
    async def update(self, finding: Finding) -> None:
        """Replace a stored finding; ``FindingNotFound`` if absent, ``Conflict`` if
        its new fingerprint collides with another finding's."""
        ...

    async def update_many(self, findings: Sequence[Finding]) -> None:
        """Replace many stored findings, all or none: ``FindingNotFound`` naming the
        first absent one, ``Conflict`` on a fingerprint collision."""
        ...


class IngestRunRepository(Protocol):
    async def add(self, run: IngestRun) -> None:
        """Store a run; ``AlreadyExists`` if its id or idempotency key is taken,
        ``ProjectNotFound`` without its project."""
        ...

    async def get(self, ingest_id: str) -> IngestRun:
        """The run; ``NotFound`` if absent in this org."""
        ...

    async def by_idempotency_key(self, key: str) -> IngestRun | None: ...
