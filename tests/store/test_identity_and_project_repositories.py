"""Orgs, teams, users, service accounts and projects in the SQL store."""

from __future__ import annotations

import pytest
import store_builders as b

from pearl_core.errors import AlreadyExists, Conflict, NotFound, OrgNotFound, ProjectNotFound
from pearl_core.ports import UnitOfWork
from pearl_core.store import SqlStore
from pearl_core.testing.clock import FakeClock

pytestmark = pytest.mark.anyio

ME = b.principal("org_a")


async def test_an_org_is_stored_once_and_read_back(store: SqlStore) -> None:
    with pytest.raises(OrgNotFound):
        await b.read(store, ME, lambda u: u.orgs.get())
    await b.committed(store, ME, lambda u: u.orgs.add(b.org("org_a")))

    assert await b.read(store, ME, lambda u: u.orgs.get()) == b.org("org_a")
    with pytest.raises(AlreadyExists):
        await b.committed(store, ME, lambda u: u.orgs.add(b.org("org_a")))


async def test_teams_are_added_listed_and_unique(store: SqlStore) -> None:
    async def add(uow: UnitOfWork) -> None:
        await uow.teams.add(b.team("org_a", 2))
        await uow.teams.add(b.team("org_a", 1))

    await b.committed(store, ME, add)

    assert await b.read(store, ME, lambda u: u.teams.get("team_1")) == b.team("org_a", 1)
    listed = await b.read(store, ME, lambda u: u.teams.list())
    assert [t.team_id for t in listed] == ["team_1", "team_2"]
    with pytest.raises(AlreadyExists):
        await b.committed(store, ME, lambda u: u.teams.add(b.team("org_a", 1)))


async def test_users_are_found_by_email_whatever_its_case(store: SqlStore) -> None:
    await b.committed(store, ME, lambda u: u.users.add(b.user("org_a", email="Ada@Example.com")))

    found = await b.read(store, ME, lambda u: u.users.by_email("ada@EXAMPLE.com"))

    assert found == b.user("org_a", email="Ada@Example.com")
    assert await b.read(store, ME, lambda u: u.users.by_email("bob@example.com")) is None


async def test_a_users_email_is_unique_in_the_org(store: SqlStore) -> None:
    await b.committed(store, ME, lambda u: u.users.add(b.user("org_a", 1)))

    with pytest.raises(AlreadyExists):
        await b.committed(
            store, ME, lambda u: u.users.add(b.user("org_a", 2, email="USER1@example.com"))
        )
    await b.committed(store, ME, lambda u: u.users.add(b.user("org_a", 2)))
    with pytest.raises(Conflict):
        await b.committed(
            store, ME, lambda u: u.users.update(b.user("org_a", 2, email="user1@example.com"))
        )


async def test_a_user_update_replaces_the_stored_user(store: SqlStore) -> None:
    await b.committed(store, ME, lambda u: u.users.add(b.user("org_a")))
    changed = b.user("org_a", disabled=True, display_name="Renamed")

    await b.committed(store, ME, lambda u: u.users.update(changed))

    assert await b.read(store, ME, lambda u: u.users.get("usr_1")) == changed
    assert await b.read(store, ME, lambda u: u.users.list()) == [changed]
    with pytest.raises(NotFound):
        await b.committed(store, ME, lambda u: u.users.update(b.user("org_a", 9)))


async def test_service_accounts_are_found_by_name_and_updated(store: SqlStore) -> None:
    await b.committed(store, ME, lambda u: u.service_accounts.add(b.service_account("org_a")))
    disabled = b.service_account("org_a", disabled=True)

    await b.committed(store, ME, lambda u: u.service_accounts.update(disabled))

    assert await b.read(store, ME, lambda u: u.service_accounts.by_name("agent-1")) == disabled
    assert await b.read(store, ME, lambda u: u.service_accounts.get("sa_1")) == disabled
    assert await b.read(store, ME, lambda u: u.service_accounts.list()) == [disabled]
    with pytest.raises(AlreadyExists):
        await b.committed(
            store,
            ME,
            lambda u: u.service_accounts.add(b.service_account("org_a", 2, name="agent-1")),
        )
    with pytest.raises(NotFound):
        await b.read(store, ME, lambda u: u.service_accounts.get("sa_9"))


async def test_projects_are_added_read_and_counted(store: SqlStore) -> None:
    async def add(uow: UnitOfWork) -> None:
        for n in range(1, 6):
            await uow.projects.add(b.project(n))

    await b.committed(store, ME, add)

    assert await b.read(store, ME, lambda u: u.projects.get("proj_3")) == b.project(3)
    assert await b.read(store, ME, lambda u: u.projects.count()) == 5
    page = await b.read(store, ME, lambda u: u.projects.list(limit=2, offset=2))
    assert [p.project_id for p in page] == ["proj_3", "proj_4"]
    with pytest.raises(ProjectNotFound):
        await b.read(store, ME, lambda u: u.projects.get("proj_9"))


async def test_projects_list_in_the_order_they_were_stored(
    store: SqlStore, clock: FakeClock
) -> None:
    for n in (3, 1, 2):
        await b.committed(store, ME, lambda u, n=n: u.projects.add(b.project(n)))
        clock.advance(1)

    listed = await b.read(store, ME, lambda u: u.projects.list())
    assert [p.project_id for p in listed] == ["proj_3", "proj_1", "proj_2"]


async def test_a_duplicate_project_id_is_already_exists(store: SqlStore) -> None:
    await b.committed(store, ME, lambda u: u.projects.add(b.project(1)))

    with pytest.raises(AlreadyExists) as caught:
        await b.committed(store, ME, lambda u: u.projects.add(b.project(1, name="Again")))
    assert caught.value.code == "already_exists"
    assert (await b.read(store, ME, lambda u: u.projects.get("proj_1"))).name == "Project 1"


async def test_a_project_update_replaces_the_stored_project(store: SqlStore) -> None:
    await b.committed(store, ME, lambda u: u.projects.add(b.project(1)))
    renamed = b.project(1, name="Renamed", updated_at=b.NOW)

    await b.committed(store, ME, lambda u: u.projects.update(renamed))

    assert await b.read(store, ME, lambda u: u.projects.get("proj_1")) == renamed
    with pytest.raises(ProjectNotFound):
        await b.committed(store, ME, lambda u: u.projects.update(b.project(2)))
