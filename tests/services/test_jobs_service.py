"""Compile jobs: started and finished as audited records, their errors typed, retries found.

Every test runs on the in-memory fake, SQLite and PostgreSQL (``any_store``).
"""

from __future__ import annotations

from typing import Any

import pytest

from pearl_core import (
    Ed25519Signer,
    Environment,
    Job,
    PearlError,
    compile_context_job,
    get_job,
    latest_package,
    put_app_spec,
    put_environment_profile,
    put_org_baseline,
)
from pearl_core.domain.enums import Role
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

ORG = "org_jobs"
PROJECT = "proj_payments"
BARE = "proj_bare"
ADMIN = make_principal(org_id=ORG, roles={Role.ADMIN})
OPERATOR = make_principal(org_id=ORG, roles={Role.OPERATOR})
VIEWER = make_principal(org_id=ORG, roles={Role.VIEWER})
AGENT = make_agent(org_id=ORG)
SIGNER = Ed25519Signer.generate()


@pytest.fixture
async def store(any_store: UnitOfWorkFactory) -> UnitOfWorkFactory:
    async with any_store.unit_of_work(ADMIN) as uow:
        await uow.orgs.add(make_org(org_id=ORG))
        await uow.projects.add(make_project(project_id=PROJECT))
        await uow.projects.add(make_project(project_id=BARE))
        await uow.audit.record("test.seeded", resource_type="org", resource_id=ORG)
        await uow.commit()
    baseline = make_org_baseline(baseline_id="orgb_main")
    await put_org_baseline(any_store.unit_of_work(ADMIN), baseline, "baseline")
    for environment in (Environment.DEV, Environment.PROD):
        profile = make_environment_profile(
            profile_id=f"envp_{environment.value}", environment=environment
        )
        await put_environment_profile(any_store.unit_of_work(ADMIN), profile, "profile")
    await put_app_spec(any_store.unit_of_work(ADMIN), PROJECT, make_app_spec(), "spec")
    return any_store


async def compile_job(
    store: UnitOfWorkFactory, clock: FakeClock, project_id: str = PROJECT, **options: Any
) -> Job:
    arguments: dict[str, Any] = {
        "environments": None,
        "clock": clock,
        "signer": SIGNER,
        "bundle_hash": "b" * 64,
    }
    who = options.pop("who", OPERATOR)
    return await compile_context_job(
        lambda: store.unit_of_work(who), project_id, **(arguments | options)
    )


async def test_a_compile_job_compiles_every_profiled_environment_and_succeeds(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    job = await compile_job(store, clock)

    assert (job.status.value, job.job_type.value, job.attempts) == (
        "succeeded",
        "compile_context",
        1,
    )
    dev = await latest_package(store.unit_of_work(OPERATOR), PROJECT, Environment.DEV)
    prod = await latest_package(store.unit_of_work(OPERATOR), PROJECT, Environment.PROD)
    assert [ref.ref_id for ref in job.result_refs] == [dev.package_id, prod.package_id]
    assert await get_job(store.unit_of_work(VIEWER), job.job_id) == job


async def test_a_job_for_one_environment_compiles_only_that_one(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    job = await compile_job(store, clock, environments=[Environment.PROD])

    assert len(job.result_refs) == 1
    assert "prod" in (job.result_refs[0].summary or "")


async def test_a_job_whose_compiles_fail_is_failed_with_each_typed_error(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    job = await compile_job(store, clock, project_id=BARE)

    assert job.status.value == "failed"
    errors = [(e.code, e.details) for e in job.errors]
    assert [
        (code, details["environment"]) for code, details in errors if isinstance(details, dict)
    ] == [
        ("not_found", "dev"),
        ("not_found", "prod"),
    ]
    assert await get_job(store.unit_of_work(OPERATOR), job.job_id) == job


async def test_a_job_is_started_and_finished_in_the_audit_log(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    job = await compile_job(store, clock)

    async with store.unit_of_work(OPERATOR) as uow:
        actions = [e.action async for e in uow.audit.events() if e.resource_id == job.job_id]
    assert actions == ["job.started", "job.finished"]


async def test_the_same_idempotency_key_finds_the_first_job(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    first = await compile_job(store, clock, idempotency_key="compile-1")
    again = await compile_job(store, clock, idempotency_key="compile-1")

    with pytest.raises(PearlError) as other:
        await compile_job(store, clock, project_id=BARE, idempotency_key="compile-1")
    assert again == first
    assert other.value.code == "conflict"


@pytest.mark.parametrize(
    ("who", "project_id", "code"),
    [
        (AGENT, PROJECT, "forbidden"),
        (VIEWER, PROJECT, "forbidden"),
        (OPERATOR, "proj_x", "not_found"),
    ],
)
async def test_a_job_is_refused_before_it_is_stored(
    store: UnitOfWorkFactory, clock: FakeClock, who: Any, project_id: str, code: str
) -> None:
    with pytest.raises(PearlError) as refused:
        await compile_job(store, clock, project_id=project_id, who=who)

    assert refused.value.code == code
    async with store.unit_of_work(OPERATOR) as uow:
        assert await uow.jobs.list() == []


async def test_an_unknown_job_is_not_found(store: UnitOfWorkFactory) -> None:
    with pytest.raises(PearlError) as missing:
        await get_job(store.unit_of_work(OPERATOR), "job_missing")

    assert missing.value.code == "not_found"
