"""New versions of the context documents: org baseline, app spec, environment profile.

Changing one is a policy change: an admin (a human, ``policy:write``) makes
it with a reason, and each change becomes a new immutable version audited as
``<kind>.version_created`` with its version, content hash and reason.
Storing identical content again is a no-op that returns the current version
and records nothing. Packages compiled before a change become stale
(:func:`pearl_core.services.context.package_status`).
"""

from __future__ import annotations

from typing import Final

from pearl_core.authz import Permission, authorize
from pearl_core.domain.context import (
    ApplicationSpec,
    DocumentVersion,
    EnvironmentProfile,
    OrgBaseline,
)
from pearl_core.errors import ReasonRequired, ValidationFailed
from pearl_core.ports import UnitOfWork

__all__ = ["put_app_spec", "put_environment_profile", "put_org_baseline"]

_MAX_REASON: Final = 2000


async def put_org_baseline(
    uow: UnitOfWork, baseline: OrgBaseline, reason: str, *, project_id: str | None = None
) -> DocumentVersion:
    """Store ``baseline`` (org-wide, or for one project) as a new version."""
    authorize(uow.principal, Permission.POLICY_WRITE)
    reason = _reason(reason)
    async with uow:
        before = await uow.org_baselines.history(baseline.baseline_id)
        version = await uow.org_baselines.put(baseline, reason=reason, project_id=project_id)
        return await _audit_if_new(uow, before, version)


async def put_environment_profile(
    uow: UnitOfWork, profile: EnvironmentProfile, reason: str, *, project_id: str | None = None
) -> DocumentVersion:
    """Store ``profile`` (org-wide, or for one project) as a new version."""
    authorize(uow.principal, Permission.POLICY_WRITE)
    reason = _reason(reason)
    async with uow:
        before = await uow.environment_profiles.history(profile.profile_id)
        version = await uow.environment_profiles.put(profile, reason=reason, project_id=project_id)
        return await _audit_if_new(uow, before, version)


async def put_app_spec(
    uow: UnitOfWork, project_id: str, spec: ApplicationSpec, reason: str
) -> DocumentVersion:
    """Store ``spec`` as the project's new app spec version."""
    authorize(uow.principal, Permission.POLICY_WRITE)
    reason = _reason(reason)
    async with uow:
        before = await uow.app_specs.history(project_id)
        version = await uow.app_specs.put(project_id, spec, reason=reason)
        return await _audit_if_new(uow, before, version)


def _reason(reason: str) -> str:
    if not reason.strip():
        raise ReasonRequired("a policy change needs a reason")
    if len(reason) > _MAX_REASON:
        raise ValidationFailed(f"the reason is longer than {_MAX_REASON} characters")
    return reason


async def _audit_if_new(
    uow: UnitOfWork, before: list[DocumentVersion], version: DocumentVersion
) -> DocumentVersion:
    if before and before[-1].version == version.version:
        return version
    await uow.audit.record(
        f"{version.kind}.version_created",
        resource_type=version.kind,
        resource_id=version.doc_id,
        details={
            "version": version.version,
            "content_hash": version.content_hash,
            "reason": version.reason,
            "project_id": version.project_id,
        },
    )
    await uow.commit()
    return version
