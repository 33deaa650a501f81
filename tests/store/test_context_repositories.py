"""Versioned context documents and compiled packages in the SQL store."""

from __future__ import annotations

import pytest
import store_builders as b

from pearl_core.canonical import canonical_json, sha256_hex
from pearl_core.domain.enums import AutonomyMode, Environment
from pearl_core.errors import AlreadyExists, NotFound, ProjectNotFound
from pearl_core.ports import UnitOfWork
from pearl_core.store import SqlStore
from pearl_core.testing.clock import FakeClock

pytestmark = pytest.mark.anyio

ME = b.principal("org_a")
P = "proj_1"
DEV, PROD = Environment.DEV, Environment.PROD


@pytest.fixture
async def with_project(store: SqlStore) -> SqlStore:
    await b.committed(store, ME, lambda u: u.projects.add(b.project(1)))
    return store


async def test_a_put_stores_version_one_with_its_content_hash(store: SqlStore) -> None:
    doc = b.baseline(1)

    version = await b.committed(store, ME, lambda u: u.org_baselines.put(doc, reason="initial"))

    assert (version.kind, version.doc_id, version.version) == ("org_baseline", "orgb_1", 1)
    assert version.content_hash == sha256_hex(canonical_json(doc.model_dump(mode="json")))
    assert (version.created_by, version.reason, version.project_id) == (
        "usr_operator",
        "initial",
        None,
    )
    assert await b.read(store, ME, lambda u: u.org_baselines.get("orgb_1")) == doc


async def test_putting_identical_content_again_stores_nothing(store: SqlStore) -> None:
    first = await b.committed(store, ME, lambda u: u.org_baselines.put(b.baseline(1), reason="a"))
    again = await b.committed(store, ME, lambda u: u.org_baselines.put(b.baseline(1), reason="b"))

    assert again == first
    assert await b.read(store, ME, lambda u: u.org_baselines.history("orgb_1")) == [first]


async def test_changed_content_becomes_a_new_version_and_old_ones_stay_readable(
    store: SqlStore, clock: FakeClock
) -> None:
    old, new = b.baseline(1), b.baseline(1, least_privilege=False)
    await b.committed(store, ME, lambda u: u.org_baselines.put(old, reason="first"))
    clock.advance(60)
    v2 = await b.committed(store, ME, lambda u: u.org_baselines.put(new, reason="loosen iam"))

    assert v2.version == 2
    assert await b.read(store, ME, lambda u: u.org_baselines.get("orgb_1")) == new
    assert await b.read(store, ME, lambda u: u.org_baselines.get("orgb_1", version=1)) == old
    history = await b.read(store, ME, lambda u: u.org_baselines.history("orgb_1"))
    assert [(v.version, v.reason) for v in history] == [(1, "first"), (2, "loosen iam")]
    with pytest.raises(NotFound):
        await b.read(store, ME, lambda u: u.org_baselines.get("orgb_1", version=3))


async def test_the_effective_baseline_prefers_the_projects_own(with_project: SqlStore) -> None:
    store = with_project

    async def put(uow: UnitOfWork) -> None:
        await uow.org_baselines.put(b.baseline(1), reason="org")
        await uow.org_baselines.put(b.baseline(2, least_privilege=False), reason="p", project_id=P)

    await b.committed(store, ME, put)

    assert (await b.read(store, ME, lambda u: u.org_baselines.effective(P))).baseline_id == "orgb_2"
    assert (await b.read(store, ME, lambda u: u.org_baselines.effective())).baseline_id == "orgb_1"
    other = await b.read(store, ME, lambda u: u.org_baselines.effective("proj_other"))
    assert other.baseline_id == "orgb_1"


async def test_binding_a_document_to_a_project_is_a_new_version(with_project: SqlStore) -> None:
    store = with_project
    await b.committed(store, ME, lambda u: u.org_baselines.put(b.baseline(1), reason="org"))

    bound = await b.committed(
        store, ME, lambda u: u.org_baselines.put(b.baseline(1), reason="bind", project_id=P)
    )

    assert (bound.version, bound.project_id) == (2, P)


async def test_project_bound_documents_need_the_project(store: SqlStore) -> None:
    with pytest.raises(ProjectNotFound):
        await b.committed(
            store, ME, lambda u: u.org_baselines.put(b.baseline(1), reason="x", project_id=P)
        )


async def test_an_app_spec_is_versioned_under_its_project(with_project: SqlStore) -> None:
    store = with_project
    v1 = await b.committed(store, ME, lambda u: u.app_specs.put(P, b.app_spec(), reason="a"))
    changed = b.app_spec(ai_enabled=True)
    v2 = await b.committed(store, ME, lambda u: u.app_specs.put(P, changed, reason="b"))

    assert (v1.kind, v1.doc_id, v1.project_id, v2.version) == ("app_spec", P, P, 2)
    assert await b.read(store, ME, lambda u: u.app_specs.get(P)) == changed
    assert await b.read(store, ME, lambda u: u.app_specs.get(P, version=1)) == b.app_spec()
    assert [v.version for v in await b.read(store, ME, lambda u: u.app_specs.history(P))] == [1, 2]
    with pytest.raises(NotFound):
        await b.read(store, ME, lambda u: u.app_specs.get("proj_other"))


async def test_the_effective_profile_matches_the_environment_and_prefers_the_project(
    with_project: SqlStore,
) -> None:
    store = with_project
    project_dev = b.profile(DEV, 2, autonomy=AutonomyMode.ASSISTIVE)

    async def put(uow: UnitOfWork) -> None:
        await uow.environment_profiles.put(b.profile(DEV), reason="org dev")
        await uow.environment_profiles.put(b.profile(PROD), reason="org prod")
        await uow.environment_profiles.put(project_dev, reason="project dev", project_id=P)

    await b.committed(store, ME, put)

    async def effective(environment: Environment, project_id: str | None) -> object:
        return await b.read(
            store, ME, lambda u: u.environment_profiles.effective(environment, project_id)
        )

    assert await effective(DEV, P) == project_dev
    assert await effective(DEV, None) == b.profile(DEV)
    assert await effective(PROD, P) == b.profile(PROD)
    with pytest.raises(NotFound):
        await b.read(store, ME, lambda u: u.environment_profiles.effective(Environment.PILOT))


async def test_listing_profiles_gives_the_current_version_of_each(store: SqlStore) -> None:
    changed = b.profile(DEV, autonomy=AutonomyMode.READ_ONLY)

    async def put(uow: UnitOfWork) -> None:
        await uow.environment_profiles.put(b.profile(PROD), reason="a")
        await uow.environment_profiles.put(b.profile(DEV), reason="a")
        await uow.environment_profiles.put(changed, reason="b")

    await b.committed(store, ME, put)

    assert await b.read(store, ME, lambda u: u.environment_profiles.list()) == [
        changed,
        b.profile(PROD),
    ]
    assert await b.read(store, ME, lambda u: u.environment_profiles.get("envp_dev_1")) == changed
    history = await b.read(store, ME, lambda u: u.environment_profiles.history("envp_dev_1"))
    assert [v.version for v in history] == [1, 2]


async def test_the_latest_compiled_package_is_the_last_one_added(with_project: SqlStore) -> None:
    store = with_project
    assert await b.read(store, ME, lambda u: u.compiled_packages.latest(P, DEV)) is None

    for n in (1, 2, 3):
        await b.committed(store, ME, lambda u, n=n: u.compiled_packages.add(b.package(P, n)))
    await b.committed(store, ME, lambda u: u.compiled_packages.add(b.package(P, 4, PROD)))

    assert await b.read(store, ME, lambda u: u.compiled_packages.latest(P, DEV)) == b.package(P, 3)
    assert await b.read(store, ME, lambda u: u.compiled_packages.get("pkg_1")) == b.package(P, 1)
    latest_prod = await b.read(store, ME, lambda u: u.compiled_packages.latest(P, PROD))
    assert latest_prod == b.package(P, 4, PROD)


async def test_compiled_packages_are_immutable_and_need_their_project(
    with_project: SqlStore,
) -> None:
    store = with_project
    await b.committed(store, ME, lambda u: u.compiled_packages.add(b.package(P)))

    with pytest.raises(AlreadyExists):
        await b.committed(store, ME, lambda u: u.compiled_packages.add(b.package(P)))
    with pytest.raises(ProjectNotFound):
        await b.committed(store, ME, lambda u: u.compiled_packages.add(b.package("proj_x", 2)))
    with pytest.raises(NotFound):
        await b.read(store, ME, lambda u: u.compiled_packages.get("pkg_9"))
