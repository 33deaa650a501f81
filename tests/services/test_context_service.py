"""Context documents and compiled packages through the services: versions, compiling,
reuse, staleness, audit and who may do what.

Every test runs on the in-memory fake, SQLite and PostgreSQL (``any_store``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from pearl_core import (
    CompiledContextPackage,
    Ed25519Signer,
    Environment,
    PearlError,
    compile_project_context,
    get_package,
    latest_package,
    package_status,
    policy_history,
    put_app_spec,
    put_environment_profile,
    put_org_baseline,
    verify_package,
)
from pearl_core.domain.audit import AuditEvent
from pearl_core.domain.enums import RiskLevel, Role
from pearl_core.ports import UnitOfWorkFactory
from pearl_core.testing import (
    FakeClock,
    make_agent,
    make_app_spec,
    make_environment_profile,
    make_org,
    make_org_baseline,
    make_principal,
    make_project,
)

pytestmark = pytest.mark.anyio

ORG = "org_context"
PROJECT = "proj_payments"
DEV = Environment.DEV
BUNDLE = "b" * 64
ADMIN = make_principal(org_id=ORG, roles={Role.ADMIN})
OPERATOR = make_principal(org_id=ORG, roles={Role.OPERATOR})
AGENT = make_agent(org_id=ORG)
SIGNER = Ed25519Signer.generate()

BASELINE = make_org_baseline(baseline_id="orgb_main")
PROFILE = make_environment_profile(profile_id="envp_dev", environment=DEV)
SPEC = make_app_spec()


@pytest.fixture
async def store(any_store: UnitOfWorkFactory) -> UnitOfWorkFactory:
    async with any_store.unit_of_work(ADMIN) as uow:
        await uow.orgs.add(make_org(org_id=ORG))
        await uow.projects.add(make_project(project_id=PROJECT))
        await uow.audit.record("test.seeded", resource_type="org", resource_id=ORG)
        await uow.commit()
    await put_org_baseline(any_store.unit_of_work(ADMIN), BASELINE, "initial baseline")
    await put_environment_profile(any_store.unit_of_work(ADMIN), PROFILE, "initial dev profile")
    await put_app_spec(any_store.unit_of_work(ADMIN), PROJECT, SPEC, "initial spec")
    return any_store


async def compile_dev(
    store: UnitOfWorkFactory, clock: FakeClock, **options: Any
) -> CompiledContextPackage:
    arguments: dict[str, Any] = {"clock": clock, "signer": SIGNER, "bundle_hash": BUNDLE}
    return await compile_project_context(
        store.unit_of_work(OPERATOR), PROJECT, DEV, **(arguments | options)
    )


async def events(store: UnitOfWorkFactory) -> list[AuditEvent]:
    async with store.unit_of_work(OPERATOR) as uow:
        return [event async for event in uow.audit.events()]


async def test_compiling_stores_a_signed_package_that_verifies(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    package = await compile_dev(store, clock)

    verify_package(package, {SIGNER.key_id: SIGNER.public_key()})
    assert await latest_package(store.unit_of_work(OPERATOR), PROJECT, DEV) == package
    assert await get_package(store.unit_of_work(AGENT), package.package_id) == package
    inputs = package.package_metadata.input_versions
    assert inputs is not None
    assert (
        inputs.org_baseline.doc_id,
        inputs.app_spec.doc_id,
        inputs.environment_profile.doc_id,
    ) == (
        "orgb_main",
        PROJECT,
        "envp_dev",
    )
    assert inputs.policy_bundle_hash == BUNDLE
    assert package.package_metadata.integrity.compiled_at == clock.now()


async def test_recompiling_unchanged_inputs_returns_the_same_package(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    first = await compile_dev(store, clock)
    recorded = len(await events(store))
    clock.advance(3600)

    again = await compile_dev(store, clock)

    assert again == first
    assert len(await events(store)) == recorded


async def test_a_new_profile_version_makes_the_older_package_stale(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    old = await compile_dev(store, clock)
    riskier = PROFILE.model_copy(update={"risk_level": RiskLevel.HIGH})

    version = await put_environment_profile(store.unit_of_work(ADMIN), riskier, "riskier dev")
    status = await package_status(store.unit_of_work(OPERATOR), old.package_id)

    assert version.version == 2
    assert (status.stale, status.changed) == (True, ("environment_profile",))

    new = await compile_dev(store, clock)
    assert new.package_id != old.package_id
    assert new.package_metadata.integrity.hash != old.package_metadata.integrity.hash
    assert new.environment_profile["risk_level"] == "high"
    fresh = await package_status(store.unit_of_work(OPERATOR), new.package_id)
    assert (fresh.stale, fresh.changed) == (False, ())
    assert (await package_status(store.unit_of_work(OPERATOR), old.package_id)).stale


@pytest.mark.parametrize("kind", ["org_baseline", "app_spec"])
async def test_a_new_version_of_any_input_is_named_in_the_status(
    store: UnitOfWorkFactory, clock: FakeClock, kind: str
) -> None:
    package = await compile_dev(store, clock)
    if kind == "org_baseline":
        await put_org_baseline(
            store.unit_of_work(ADMIN), BASELINE.model_copy(update={"org_name": "New"}), "rename"
        )
    else:
        spec = SPEC.model_copy(
            update={"application": SPEC.application.model_copy(update={"ai_enabled": True})}
        )
        await put_app_spec(store.unit_of_work(ADMIN), PROJECT, spec, "now uses AI")

    status = await package_status(store.unit_of_work(OPERATOR), package.package_id)

    assert status.changed == (kind,)


async def test_a_project_baseline_taking_over_marks_the_baseline_changed(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    package = await compile_dev(store, clock)
    own = make_org_baseline(baseline_id="orgb_payments")

    await put_org_baseline(store.unit_of_work(ADMIN), own, "stricter", project_id=PROJECT)

    status = await package_status(store.unit_of_work(OPERATOR), package.package_id)
    assert status.changed == ("org_baseline",)
    recompiled = await compile_dev(store, clock)
    assert recompiled.package_metadata.compiled_from.org_baseline_id == "orgb_payments"


async def test_a_changed_policy_bundle_makes_the_package_stale_and_recompiles(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    package = await compile_dev(store, clock)
    newer = "c" * 64

    status = await package_status(
        store.unit_of_work(OPERATOR), package.package_id, bundle_hash=newer
    )
    recompiled = await compile_dev(store, clock, bundle_hash=newer)

    assert status.changed == ("policy_bundle",)
    assert recompiled.package_id != package.package_id


async def test_a_new_signing_key_signs_a_new_package_with_the_same_content_hash(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    package = await compile_dev(store, clock)
    rotated = Ed25519Signer.generate()

    again = await compile_dev(store, clock, signer=rotated)

    assert again.package_id != package.package_id
    assert again.package_metadata.integrity.hash == package.package_metadata.integrity.hash
    verify_package(again, {rotated.key_id: rotated.public_key()})


async def test_every_new_version_and_compile_is_audited(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    package = await compile_dev(store, clock)

    recorded = [(e.action, e.resource_id, e.actor_id) for e in await events(store)][1:]
    assert recorded == [
        ("org_baseline.version_created", "orgb_main", ADMIN.subject_id),
        ("environment_profile.version_created", "envp_dev", ADMIN.subject_id),
        ("app_spec.version_created", PROJECT, ADMIN.subject_id),
        ("compiled_package.created", package.package_id, OPERATOR.subject_id),
    ]
    spec_event, compile_event = (await events(store))[-2:]
    assert spec_event.details["version"] == 1
    assert spec_event.details["reason"] == "initial spec"
    assert len(spec_event.details["content_hash"]) == 64
    assert compile_event.details["hash"] == package.package_metadata.integrity.hash
    assert compile_event.details["policy_bundle_hash"] == BUNDLE
    assert compile_event.details["versions"] == {
        "org_baseline": 1,
        "app_spec": 1,
        "environment_profile": 1,
    }


async def test_putting_identical_content_stores_and_audits_nothing(
    store: UnitOfWorkFactory,
) -> None:
    recorded = len(await events(store))

    version = await put_environment_profile(store.unit_of_work(ADMIN), PROFILE, "again")

    assert version.version == 1
    assert len(await events(store)) == recorded


@pytest.mark.parametrize(
    ("principal", "code"),
    [(OPERATOR, "forbidden"), (AGENT, "human_required")],
    ids=["operator", "agent"],
)
async def test_only_a_human_admin_changes_context_documents(
    store: UnitOfWorkFactory, principal: Any, code: str
) -> None:
    changed = BASELINE.model_copy(update={"org_name": "Hijacked"})
    puts: list[Callable[[], Awaitable[object]]] = [
        lambda: put_org_baseline(store.unit_of_work(principal), changed, "because"),
        lambda: put_environment_profile(store.unit_of_work(principal), PROFILE, "because"),
        lambda: put_app_spec(store.unit_of_work(principal), PROJECT, SPEC, "because"),
    ]
    for put in puts:
        with pytest.raises(PearlError) as caught:
            await put()
        assert caught.value.code == code
    assert [
        v.version
        for v in await policy_history(store.unit_of_work(ADMIN), "org_baseline", "orgb_main")
    ] == [1]


async def test_a_policy_change_needs_a_reason(store: UnitOfWorkFactory) -> None:
    with pytest.raises(PearlError) as caught:
        await put_org_baseline(store.unit_of_work(ADMIN), BASELINE, "  ")

    assert caught.value.code == "reason_required"


async def test_an_agent_cannot_compile(store: UnitOfWorkFactory, clock: FakeClock) -> None:
    with pytest.raises(PearlError) as caught:
        await compile_project_context(
            store.unit_of_work(AGENT), PROJECT, DEV, clock=clock, signer=SIGNER, bundle_hash=BUNDLE
        )

    assert caught.value.code == "forbidden"


async def test_compiling_an_environment_without_a_profile_is_not_found(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    with pytest.raises(PearlError) as caught:
        await compile_project_context(
            store.unit_of_work(OPERATOR),
            PROJECT,
            Environment.PROD,
            clock=clock,
            signer=SIGNER,
            bundle_hash=BUNDLE,
        )

    assert caught.value.code == "not_found"


async def test_compiling_a_project_without_an_app_spec_is_not_found(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    async with store.unit_of_work(ADMIN) as uow:
        await uow.projects.add(make_project(project_id="proj_bare"))
        await uow.audit.record("test.seeded", resource_type="project", resource_id="proj_bare")
        await uow.commit()

    with pytest.raises(PearlError) as caught:
        await compile_project_context(
            store.unit_of_work(OPERATOR),
            "proj_bare",
            DEV,
            clock=clock,
            signer=SIGNER,
            bundle_hash=BUNDLE,
        )

    assert caught.value.code == "not_found"


async def test_another_orgs_package_looks_missing(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    package = await compile_dev(store, clock)
    outsider = make_principal(org_id="org_other", roles={Role.ADMIN})

    reads: list[Callable[[], Awaitable[object]]] = [
        lambda: get_package(store.unit_of_work(outsider), package.package_id),
        lambda: package_status(store.unit_of_work(outsider), package.package_id),
        lambda: latest_package(store.unit_of_work(outsider), PROJECT, DEV),
    ]
    for read in reads:
        with pytest.raises(PearlError) as caught:
            await read()
        assert caught.value.code == "not_found"
