"""First-time setup: the org, its baseline and its environment profiles.

Seeding is PeaRL acting as the system principal on an org that has no
policies yet. It never overwrites: once a baseline or profile exists, changing
it is a policy change that needs an admin, not a re-seed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError

from pearl_core.clock import Clock
from pearl_core.domain.context import DocumentVersion, EnvironmentProfile, OrgBaseline
from pearl_core.domain.enums import PrincipalKind
from pearl_core.domain.identity import Org
from pearl_core.errors import Forbidden, NotFound, OrgNotFound, ValidationFailed
from pearl_core.ports import UnitOfWork
from pearl_core.validation import validation_failed

__all__ = ["DefaultPolicies", "SeedResult", "read_default_policies", "seed_defaults"]


@dataclass(frozen=True, slots=True)
class DefaultPolicies:
    baseline: OrgBaseline
    profiles: tuple[EnvironmentProfile, ...]


@dataclass(frozen=True, slots=True)
class SeedResult:
    org_created: bool
    created: tuple[str, ...] = field(default=())
    """Ids of the baseline and profiles stored by this run."""
    kept: tuple[str, ...] = field(default=())
    """Ids that already existed and were left as they were."""


def read_default_policies(policies_dir: Path) -> DefaultPolicies:
    """Read ``org-baseline.json`` and ``environments/*.json``; bad files are
    ``validation_failed`` naming the file."""
    baseline = _read(policies_dir / "org-baseline.json", OrgBaseline)
    profile_files = sorted((policies_dir / "environments").glob("*.json"))
    if not profile_files:
        raise ValidationFailed(
            "no environment profiles found", path=str(policies_dir / "environments")
        )
    return DefaultPolicies(baseline, tuple(_read(p, EnvironmentProfile) for p in profile_files))


_Doc = TypeVar("_Doc", OrgBaseline, EnvironmentProfile)


def _read(path: Path, model: type[_Doc]) -> _Doc:
    try:
        return model.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        raise ValidationFailed(f"{path} is missing", path=str(path)) from None
    except ValidationError as exc:
        error = validation_failed(model, exc)
        raise ValidationFailed(
            f"{path}: {error.message}", path=str(path), **error.details
        ) from None


async def seed_defaults(
    uow: UnitOfWork, policies: DefaultPolicies, *, org_name: str, clock: Clock
) -> SeedResult:
    """Create the principal's org if missing and store any default policy it lacks."""
    if uow.principal.kind is not PrincipalKind.SYSTEM:
        raise Forbidden("only PeaRL itself seeds default policies")
    created: list[str] = []
    kept: list[str] = []
    async with uow:
        org_created = False
        try:
            await uow.orgs.get()
        except OrgNotFound:
            org = Org(org_id=uow.principal.org_id, name=org_name, created_at=clock.now())
            await uow.orgs.add(org)
            await uow.audit.record(
                "org.created",
                resource_type="org",
                resource_id=org.org_id,
                details={"name": org_name},
            )
            org_created = True

        baseline = policies.baseline
        if await _exists(uow.org_baselines.get, baseline.baseline_id):
            kept.append(baseline.baseline_id)
        else:
            version = await uow.org_baselines.put(baseline, reason="default policies")
            await _audit_version(uow, version)
            created.append(baseline.baseline_id)

        for profile in policies.profiles:
            if await _exists(uow.environment_profiles.get, profile.profile_id):
                kept.append(profile.profile_id)
                continue
            version = await uow.environment_profiles.put(profile, reason="default policies")
            await _audit_version(uow, version)
            created.append(profile.profile_id)
        await uow.commit()
    return SeedResult(org_created=org_created, created=tuple(created), kept=tuple(kept))


async def _exists(get: Callable[[str], Awaitable[object]], doc_id: str) -> bool:
    try:
        await get(doc_id)
    except NotFound:
        return False
    return True


async def _audit_version(uow: UnitOfWork, version: DocumentVersion) -> None:
    await uow.audit.record(
        f"{version.kind}.version_created",
        resource_type=version.kind,
        resource_id=version.doc_id,
        details={
            "version": version.version,
            "content_hash": version.content_hash,
            "reason": version.reason,
        },
    )
