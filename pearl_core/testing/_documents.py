"""In-memory versioned context documents and compiled packages.

Same rules as the SQL store: every ``put`` of changed content (SHA-256 of its
canonical JSON) or of a new project binding stores version ``n + 1``; putting
the same content with the same binding returns the current version and stores
nothing. ``effective`` prefers a document bound to the project and falls back
to the org-wide one; among several, the most recently stored wins, then the
lowest id.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from pearl_core.canonical import canonical_json, sha256_hex
from pearl_core.domain.context import (
    ApplicationSpec,
    CompiledContextPackage,
    DocumentKind,
    DocumentVersion,
    EnvironmentProfile,
    OrgBaseline,
)
from pearl_core.domain.enums import Environment
from pearl_core.errors import AlreadyExists, Conflict, NotFound, ProjectNotFound
from pearl_core.testing._tables import Row, Transaction, parse

__all__ = [
    "MemoryApplicationSpecRepository",
    "MemoryCompiledPackageRepository",
    "MemoryEnvironmentProfileRepository",
    "MemoryOrgBaselineRepository",
]

_TABLE = "context_documents"
_ORG_WIDE = ""


def _versions(tx: Transaction, kind: DocumentKind, doc_id: str) -> list[Row]:
    rows = [row for _, row in tx.rows(_TABLE, kind=kind, doc_id=doc_id)]
    return sorted(rows, key=lambda row: int(row.cols["version"]))


def _put(
    tx: Transaction,
    kind: DocumentKind,
    doc_id: str,
    document: BaseModel,
    *,
    reason: str,
    project_id: str | None,
    environment: str | None = None,
) -> DocumentVersion:
    if project_id is not None and tx.doc("projects", project_id) is None:
        raise ProjectNotFound(project_id)
    digest = sha256_hex(canonical_json(document.model_dump(mode="json")))
    binding = project_id or _ORG_WIDE
    versions = _versions(tx, kind, doc_id)
    current = versions[-1] if versions else None
    if current is not None and (current.cols["content_hash"], current.cols["project_id"]) == (
        digest,
        binding,
    ):
        record: DocumentVersion = current.cols["record"]
        return record
    record = DocumentVersion(
        kind=kind,
        doc_id=doc_id,
        project_id=project_id,
        version=1 if current is None else int(current.cols["version"]) + 1,
        content_hash=digest,
        created_by=tx.principal.subject_id,
        created_at=tx.clock.now(),
        reason=reason,
    )
    cols: dict[str, Any] = {
        "kind": kind,
        "doc_id": doc_id,
        "version": record.version,
        "project_id": binding,
        "environment": environment,
        "content_hash": digest,
        "record": record,
    }
    if not tx.insert(_TABLE, (kind, doc_id, str(record.version)), document, **cols):
        raise Conflict("another change stored this version first", doc_id=doc_id)
    return record


def _get(tx: Transaction, kind: DocumentKind, doc_id: str, version: int | None) -> str | None:
    versions = _versions(tx, kind, doc_id)
    if version is None:
        return versions[-1].doc if versions else None
    return next((row.doc for row in versions if row.cols["version"] == version), None)


def _current(tx: Transaction, kind: DocumentKind) -> list[Row]:
    """The latest version of every ``kind`` document in the org."""
    latest: dict[str, Row] = {}
    for _, row in tx.rows(_TABLE, kind=kind):
        doc_id = str(row.cols["doc_id"])
        if doc_id not in latest or row.cols["version"] > latest[doc_id].cols["version"]:
            latest[doc_id] = row
    return list(latest.values())


def _effective(
    tx: Transaction, kind: DocumentKind, project_id: str | None, environment: str | None = None
) -> str | None:
    bindings = {project_id or _ORG_WIDE, _ORG_WIDE}
    candidates = [
        row
        for row in _current(tx, kind)
        if row.cols["project_id"] in bindings
        and (environment is None or row.cols["environment"] == environment)
    ]
    candidates.sort(key=lambda row: str(row.cols["doc_id"]))
    candidates.sort(key=lambda row: row.cols["record"].created_at, reverse=True)
    candidates.sort(key=lambda row: row.cols["project_id"] == _ORG_WIDE)
    return candidates[0].doc if candidates else None


def _history(tx: Transaction, kind: DocumentKind, doc_id: str) -> list[DocumentVersion]:
    return [row.cols["record"] for row in _versions(tx, kind, doc_id)]


class MemoryOrgBaselineRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def put(
        self, baseline: OrgBaseline, *, reason: str, project_id: str | None = None
    ) -> DocumentVersion:
        return _put(
            self._tx,
            "org_baseline",
            baseline.baseline_id,
            baseline,
            reason=reason,
            project_id=project_id,
        )

    async def get(self, baseline_id: str, *, version: int | None = None) -> OrgBaseline:
        doc = _get(self._tx, "org_baseline", baseline_id, version)
        if doc is None:
            raise NotFound(baseline_id)
        return parse(OrgBaseline, doc)

    async def effective(self, project_id: str | None = None) -> OrgBaseline:
        doc = _effective(self._tx, "org_baseline", project_id)
        if doc is None:
            raise NotFound(project_id or "org baseline")
        return parse(OrgBaseline, doc)

    async def history(self, baseline_id: str) -> list[DocumentVersion]:
        return _history(self._tx, "org_baseline", baseline_id)


class MemoryApplicationSpecRepository:
    """One spec per project: the document id is the project id."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def put(self, project_id: str, spec: ApplicationSpec, *, reason: str) -> DocumentVersion:
        return _put(self._tx, "app_spec", project_id, spec, reason=reason, project_id=project_id)

    async def get(self, project_id: str, *, version: int | None = None) -> ApplicationSpec:
        doc = _get(self._tx, "app_spec", project_id, version)
        if doc is None:
            raise NotFound(project_id)
        return parse(ApplicationSpec, doc)

    async def history(self, project_id: str) -> list[DocumentVersion]:
        return _history(self._tx, "app_spec", project_id)


class MemoryEnvironmentProfileRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def put(
        self, profile: EnvironmentProfile, *, reason: str, project_id: str | None = None
    ) -> DocumentVersion:
        return _put(
            self._tx,
            "environment_profile",
            profile.profile_id,
            profile,
            reason=reason,
            project_id=project_id,
            environment=profile.environment.value,
        )

    async def get(self, profile_id: str, *, version: int | None = None) -> EnvironmentProfile:
        doc = _get(self._tx, "environment_profile", profile_id, version)
        if doc is None:
            raise NotFound(profile_id)
        return parse(EnvironmentProfile, doc)

    async def effective(
        self, environment: Environment, project_id: str | None = None
    ) -> EnvironmentProfile:
        doc = _effective(self._tx, "environment_profile", project_id, environment.value)
        if doc is None:
            raise NotFound(environment.value)
        return parse(EnvironmentProfile, doc)

    async def history(self, profile_id: str) -> list[DocumentVersion]:
        return _history(self._tx, "environment_profile", profile_id)

    async def list(self) -> list[EnvironmentProfile]:
        rows = _current(self._tx, "environment_profile")
        rows.sort(key=lambda row: (str(row.cols["environment"]), str(row.cols["doc_id"])))
        return [parse(EnvironmentProfile, row.doc) for row in rows]


class MemoryCompiledPackageRepository:
    """Immutable packages, one new revision per project environment per compile."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add(self, package: CompiledContextPackage) -> None:
        project_id = package.project_identity.project_id
        environment = package.project_identity.environment.value
        rows = self._tx.rows("compiled_packages", project_id=project_id, environment=environment)
        revision = max((int(row.cols["revision"]) for _, row in rows), default=0) + 1
        if not self._tx.insert(
            "compiled_packages",
            (package.package_id,),
            package,
            project_id=project_id,
            environment=environment,
            revision=revision,
        ):
            raise AlreadyExists("the package already exists", id=package.package_id)

    async def get(self, package_id: str) -> CompiledContextPackage:
        doc = self._tx.doc("compiled_packages", package_id)
        if doc is None:
            raise NotFound(package_id)
        return parse(CompiledContextPackage, doc)

    async def latest(
        self, project_id: str, environment: Environment
    ) -> CompiledContextPackage | None:
        rows = self._tx.rows(
            "compiled_packages", project_id=project_id, environment=environment.value
        )
        if not rows:
            return None
        _, newest = max(rows, key=lambda item: int(item[1].cols["revision"]))
        return parse(CompiledContextPackage, newest.doc)
