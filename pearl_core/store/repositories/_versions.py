"""Versioned context documents: the storage side of ``DocumentVersion``.

Every ``put`` of a changed document stores a new immutable version
``(kind, doc_id, version)``; putting the same content (SHA-256 of its
canonical JSON) with the same project binding returns the current version and
stores nothing. Org-wide documents keep ``project_id = ''`` so that the
primary key and lookups stay simple.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, and_, case, func, select

from pearl_core.canonical import canonical_json, sha256_hex
from pearl_core.domain.context import DocumentKind, DocumentVersion
from pearl_core.errors import Conflict, ProjectNotFound
from pearl_core.store.repositories._scope import Scope, dump, fetch_doc, insert_new
from pearl_core.store.tables import context_documents, projects

__all__ = [
    "current_versions",
    "effective_doc",
    "get_doc",
    "history",
    "put_version",
]

_ORG_WIDE = ""
_docs = context_documents


def content_hash(document: BaseModel) -> str:
    return sha256_hex(canonical_json(document.model_dump(mode="json")))


async def put_version(
    scope: Scope,
    kind: DocumentKind,
    doc_id: str,
    document: BaseModel,
    *,
    reason: str,
    project_id: str | None,
    environment: str | None = None,
) -> DocumentVersion:
    if project_id is not None:
        await _require_project(scope, project_id)
    digest = content_hash(document)
    binding = project_id or _ORG_WIDE
    current = (
        await scope.execute(
            _version_columns()
            .where(scope.owns(_docs), _docs.c.kind == kind, _docs.c.doc_id == doc_id)
            .order_by(_docs.c.version.desc())
            .limit(1)
        )
    ).one_or_none()
    if current is not None and (current.content_hash, current.project_id) == (digest, binding):
        return _version(current)
    version = DocumentVersion(
        kind=kind,
        doc_id=doc_id,
        project_id=project_id,
        version=1 if current is None else current.version + 1,
        content_hash=digest,
        created_by=scope.principal.subject_id,
        created_at=scope.clock.now(),
        reason=reason,
    )
    row = {
        "kind": kind,
        "doc_id": doc_id,
        "version": version.version,
        "project_id": binding,
        "environment": environment,
        "content_hash": digest,
        "created_by": version.created_by,
        "created_at": version.created_at,
        "reason": reason,
        "doc": dump(document),
    }
    if not await insert_new(scope, _docs, row):
        raise Conflict("another change stored this version first", doc_id=doc_id)
    return version


async def get_doc(scope: Scope, kind: DocumentKind, doc_id: str, version: int | None) -> str | None:
    statement = select(_docs.c.doc).where(
        scope.owns(_docs), _docs.c.kind == kind, _docs.c.doc_id == doc_id
    )
    if version is None:
        statement = statement.order_by(_docs.c.version.desc())
    else:
        statement = statement.where(_docs.c.version == version)
    return await fetch_doc(scope, statement)


async def effective_doc(
    scope: Scope, kind: DocumentKind, project_id: str | None, environment: str | None = None
) -> str | None:
    """The current document bound to ``project_id`` if any, else the org-wide one.

    Among several candidates in the same scope, the most recently stored wins.
    """
    bindings = {project_id or _ORG_WIDE, _ORG_WIDE}
    statement = current_versions(scope, kind).where(_docs.c.project_id.in_(bindings))
    if environment is not None:
        statement = statement.where(_docs.c.environment == environment)
    statement = statement.order_by(
        case((_docs.c.project_id == _ORG_WIDE, 1), else_=0),
        _docs.c.created_at.desc(),
        _docs.c.doc_id,
    )
    return await fetch_doc(scope, statement)


def current_versions(scope: Scope, kind: DocumentKind) -> Select[tuple[str]]:
    """``doc`` of the latest version of every ``kind`` document in the org."""
    latest = (
        select(_docs.c.doc_id, func.max(_docs.c.version).label("version"))
        .where(scope.owns(_docs), _docs.c.kind == kind)
        .group_by(_docs.c.doc_id)
        .subquery()
    )
    return (
        select(_docs.c.doc)
        .join(latest, and_(_docs.c.doc_id == latest.c.doc_id, _docs.c.version == latest.c.version))
        .where(scope.owns(_docs), _docs.c.kind == kind)
    )


async def history(scope: Scope, kind: DocumentKind, doc_id: str) -> list[DocumentVersion]:
    statement = (
        _version_columns()
        .where(scope.owns(_docs), _docs.c.kind == kind, _docs.c.doc_id == doc_id)
        .order_by(_docs.c.version)
    )
    return [_version(row) for row in await scope.execute(statement)]


def _version_columns() -> Select[Any]:
    return select(
        _docs.c.kind,
        _docs.c.doc_id,
        _docs.c.project_id,
        _docs.c.version,
        _docs.c.content_hash,
        _docs.c.created_by,
        _docs.c.created_at,
        _docs.c.reason,
    )


def _version(row: Any) -> DocumentVersion:
    return DocumentVersion(
        kind=row.kind,
        doc_id=row.doc_id,
        project_id=row.project_id or None,
        version=row.version,
        content_hash=row.content_hash,
        created_by=row.created_by,
        created_at=row.created_at,
        reason=row.reason,
    )


async def _require_project(scope: Scope, project_id: str) -> None:
    statement = select(projects.c.project_id).where(
        scope.owns(projects), projects.c.project_id == project_id
    )
    if (await scope.execute(statement)).first() is None:
        raise ProjectNotFound(project_id)
