"""Policy versions: the history of a context document and a diff between two versions.

Every stored change to an org baseline, application spec or environment
profile is an immutable :class:`~pearl_core.domain.context.DocumentVersion`
(who, when, why, content hash) kept by the store; these read them back. The
diff is structural (:func:`~pearl_core.domain.diff.diff_json` over each
version's JSON), so it names fields, not lines.
"""

from __future__ import annotations

from typing import get_args

from pydantic import BaseModel

from pearl_core.authz import Permission, authorize
from pearl_core.domain.context import DocumentKind, DocumentVersion
from pearl_core.domain.diff import Change, diff_json
from pearl_core.errors import NotFound, ValidationFailed
from pearl_core.ports import UnitOfWork

__all__ = ["DOCUMENT_KINDS", "policy_diff", "policy_history"]

DOCUMENT_KINDS: tuple[DocumentKind, ...] = get_args(DocumentKind)
"""``org_baseline``, ``app_spec``, ``environment_profile``."""


async def policy_history(uow: UnitOfWork, kind: DocumentKind, doc_id: str) -> list[DocumentVersion]:
    """Every version of the document, oldest first; ``not_found`` if it has none.

    ``doc_id`` is the baseline or profile id, or the project id of an app spec.
    """
    authorize(uow.principal, Permission.POLICY_READ)
    _check_kind(kind)
    async with uow.reading():
        if kind == "org_baseline":
            versions = await uow.org_baselines.history(doc_id)
        elif kind == "app_spec":
            versions = await uow.app_specs.history(doc_id)
        else:
            versions = await uow.environment_profiles.history(doc_id)
    if not versions:
        raise NotFound(doc_id)
    return versions


async def policy_diff(
    uow: UnitOfWork, kind: DocumentKind, doc_id: str, v1: int, v2: int
) -> list[Change]:
    """What changed from version ``v1`` to ``v2`` (either may be the later one);
    ``not_found`` if the document or either version does not exist."""
    authorize(uow.principal, Permission.POLICY_READ)
    _check_kind(kind)
    async with uow.reading():
        old = await _version(uow, kind, doc_id, v1)
        new = await _version(uow, kind, doc_id, v2)
    return diff_json(old.model_dump(mode="json"), new.model_dump(mode="json"))


async def _version(uow: UnitOfWork, kind: DocumentKind, doc_id: str, version: int) -> BaseModel:
    if kind == "org_baseline":
        return await uow.org_baselines.get(doc_id, version=version)
    if kind == "app_spec":
        return await uow.app_specs.get(doc_id, version=version)
    return await uow.environment_profiles.get(doc_id, version=version)


def _check_kind(kind: str) -> None:
    if kind not in DOCUMENT_KINDS:
        raise ValidationFailed(
            f"kind must be one of {', '.join(DOCUMENT_KINDS)}", kind=kind, field="kind"
        )
