"""Policy versions: every stored change of a context document, and a diff between two."""

from __future__ import annotations

from typing import Any

import pytest

from pearl_core import policy_diff, policy_history
from pearl_core.domain.context import EnvironmentProfile
from pearl_core.domain.enums import PrincipalKind
from pearl_core.errors import NotFound, ValidationFailed
from pearl_core.ports import UnitOfWorkFactory
from pearl_core.testing import (
    FakeClock,
    make_app_spec,
    make_environment_profile,
    make_principal,
    make_project,
)

pytestmark = pytest.mark.anyio

ORG = "org_versions"
SYSTEM = make_principal(org_id=ORG, kind=PrincipalKind.SYSTEM)
READER = make_principal(org_id=ORG)
PROFILE = make_environment_profile(profile_id="envp_prod_main")


async def put(store: UnitOfWorkFactory, profile: EnvironmentProfile, reason: str) -> None:
    """Store a version as PeaRL itself, with its audit record, as a policy change is."""
    async with store.unit_of_work(SYSTEM) as uow:
        version = await uow.environment_profiles.put(profile, reason=reason)
        await uow.audit.record(
            "environment_profile.version_created",
            resource_type="environment_profile",
            resource_id=version.doc_id,
            details={"version": version.version, "content_hash": version.content_hash},
        )
        await uow.commit()


def changed(**fields: Any) -> EnvironmentProfile:
    return PROFILE.model_copy(update=fields)


@pytest.fixture
async def two_versions(any_store: UnitOfWorkFactory, clock: FakeClock) -> UnitOfWorkFactory:
    await put(any_store, PROFILE, "initial profile")
    clock.advance(3600)
    tightened = changed(
        allowed_capabilities=["code_edit", "test_create"],
        blocked_capabilities=[*PROFILE.blocked_capabilities, "network_egress"],
        approval_level=None,
    )
    await put(any_store, tightened, "tighten prod after review")
    return any_store


async def test_history_lists_every_version_with_who_when_why_and_hash(
    two_versions: UnitOfWorkFactory, clock: FakeClock
) -> None:
    versions = await policy_history(
        two_versions.unit_of_work(READER), "environment_profile", "envp_prod_main"
    )

    assert [(v.version, v.reason, v.created_by) for v in versions] == [
        (1, "initial profile", SYSTEM.subject_id),
        (2, "tighten prod after review", SYSTEM.subject_id),
    ]
    assert versions[1].created_at == clock.now()
    assert versions[0].content_hash != versions[1].content_hash


async def test_diff_names_each_changed_field(two_versions: UnitOfWorkFactory) -> None:
    uow = two_versions.unit_of_work(READER)

    changes = await policy_diff(uow, "environment_profile", "envp_prod_main", 1, 2)

    assert [change.line() for change in changes] == [
        '~ allowed_capabilities[1]: "test_run" -> "test_create"',
        '~ approval_level: "standard" -> null',
        '+ blocked_capabilities[2]: "network_egress"',
    ]


async def test_a_diff_of_a_version_with_itself_is_empty(two_versions: UnitOfWorkFactory) -> None:
    uow = two_versions.unit_of_work(READER)

    assert await policy_diff(uow, "environment_profile", "envp_prod_main", 2, 2) == []


async def test_app_spec_history_is_kept_per_project(any_store: UnitOfWorkFactory) -> None:
    project = make_project(project_id="proj_specs")
    async with any_store.unit_of_work(SYSTEM) as uow:
        await uow.projects.add(project)
        await uow.app_specs.put("proj_specs", make_app_spec(), reason="first spec")
        await uow.audit.record(
            "app_spec.version_created", resource_type="app_spec", resource_id="proj_specs"
        )
        await uow.commit()

    versions = await policy_history(any_store.unit_of_work(READER), "app_spec", "proj_specs")

    assert [(v.version, v.project_id) for v in versions] == [(1, "proj_specs")]


async def test_unknown_documents_and_versions_are_not_found(
    two_versions: UnitOfWorkFactory,
) -> None:
    with pytest.raises(NotFound) as no_doc:
        await policy_history(two_versions.unit_of_work(READER), "org_baseline", "envp_prod_main")
    with pytest.raises(NotFound) as no_version:
        await policy_diff(
            two_versions.unit_of_work(READER), "environment_profile", "envp_prod_main", 1, 3
        )

    assert (no_doc.value.code, no_version.value.code) == ("not_found", "not_found")


async def test_an_unknown_kind_is_validation_failed(any_store: UnitOfWorkFactory) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await policy_history(any_store.unit_of_work(READER), "rego", "x")  # type: ignore[arg-type]

    assert caught.value.code == "validation_failed"
