"""A short description of an org's state: what ``pearl demo`` and ``/readyz`` show."""

from __future__ import annotations

from dataclasses import dataclass

from pearl_core.authz import Permission, authorize
from pearl_core.domain.context import EnvironmentProfile, OrgBaseline
from pearl_core.domain.identity import Org
from pearl_core.errors import NotFound
from pearl_core.ports import UnitOfWork

__all__ = ["OrgStatus", "describe_org"]


@dataclass(frozen=True, slots=True)
class OrgStatus:
    org: Org
    baseline: OrgBaseline | None
    profiles: tuple[EnvironmentProfile, ...]
    project_count: int
    audit_events: int
    audit_head_hash: str


async def describe_org(uow: UnitOfWork) -> OrgStatus:
    """The principal's org, its effective baseline, profiles and counts."""
    authorize(uow.principal, Permission.POLICY_READ)
    async with uow.reading():
        org = await uow.orgs.get()
        try:
            baseline: OrgBaseline | None = await uow.org_baselines.effective()
        except NotFound:
            baseline = None
        profiles = await uow.environment_profiles.list()
        seq, head_hash = await uow.audit.head()
        return OrgStatus(
            org=org,
            baseline=baseline,
            profiles=tuple(profiles),
            project_count=await uow.projects.count(),
            audit_events=seq,
            audit_head_hash=head_hash,
        )
