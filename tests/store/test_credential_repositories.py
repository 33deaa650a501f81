"""API keys in every store (memory, SQLite, PostgreSQL): the org-bound repository
and the org-agnostic lookup that authenticates requests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

import pytest
import store_builders as b

from pearl_core.domain.credentials import ApiKey
from pearl_core.domain.identity import Principal
from pearl_core.domain.permissions import Permission
from pearl_core.errors import AlreadyExists, ApiKeyNotFound, Forbidden, IntegrityViolation, NotFound
from pearl_core.ports import UnitOfWork
from pearl_core.store import SqlStore
from pearl_core.testing import InMemoryStore

pytestmark = pytest.mark.anyio

T = TypeVar("T")
Store = SqlStore | InMemoryStore

ME = b.principal("org_a")
THEM = b.principal("org_b")
DIGEST = "ab" * 32


def api_key(org_id: str = "org_a", key_id: str = "abcdefgh2345", **overrides: Any) -> ApiKey:
    fields: dict[str, Any] = {
        "key_id": key_id,
        "org_id": org_id,
        "name": "ci",
        "principal_id": "sa_1",
        "scopes": (Permission.FINDINGS_READ,),
        "digest": DIGEST,
        "created_by": "usr_operator",
        "created_at": b.NOW,
        "expires_at": b.NOW + timedelta(days=30),
    }
    return ApiKey(**(fields | overrides))


async def committed(store: Store, who: Principal, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    async with store.unit_of_work(who) as uow:
        result = await work(uow)
        await uow.audit.record("test.changed", resource_type="test", resource_id="test")
        await uow.commit()
    return result


async def read(store: Store, who: Principal, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    async with store.unit_of_work(who) as uow:
        return await work(uow)


@pytest.fixture
async def accounts(any_store: Store) -> Store:
    """Service accounts ``sa_1`` and ``sa_2`` in org_a, ``sa_1`` in org_b."""

    async def seed(uow: UnitOfWork) -> None:
        await uow.service_accounts.add(b.service_account(uow.principal.org_id, 1))
        if uow.principal.org_id == "org_a":
            await uow.service_accounts.add(b.service_account("org_a", 2))

    await committed(any_store, ME, seed)
    await committed(any_store, THEM, seed)
    return any_store


async def test_api_keys_are_added_read_and_listed_by_service_account(accounts: Store) -> None:
    first, second = api_key(key_id="aaaaaaaaaaaa"), api_key(key_id="bbbbbbbbbbbb")
    other = api_key(key_id="cccccccccccc", principal_id="sa_2")

    async def add(uow: UnitOfWork) -> None:
        for key in (first, second, other):
            await uow.api_keys.add(key)

    await committed(accounts, ME, add)

    assert await read(accounts, ME, lambda u: u.api_keys.get("bbbbbbbbbbbb")) == second
    assert await read(accounts, ME, lambda u: u.api_keys.list()) == [first, second, other]
    assert await read(accounts, ME, lambda u: u.api_keys.list(principal_id="sa_2")) == [other]
    with pytest.raises(ApiKeyNotFound) as caught:
        await read(accounts, ME, lambda u: u.api_keys.get("zzzzzzzzzzzz"))
    assert caught.value.code == "not_found"


async def test_an_api_key_needs_its_service_account(accounts: Store) -> None:
    with pytest.raises(NotFound):
        await committed(accounts, ME, lambda u: u.api_keys.add(api_key(principal_id="sa_9")))

    assert await read(accounts, ME, lambda u: u.api_keys.list()) == []


async def test_an_api_key_id_is_unique_across_orgs(accounts: Store) -> None:
    await committed(accounts, THEM, lambda u: u.api_keys.add(api_key("org_b")))

    with pytest.raises(AlreadyExists):
        await committed(accounts, ME, lambda u: u.api_keys.add(api_key("org_a")))
    with pytest.raises(AlreadyExists):
        await committed(accounts, THEM, lambda u: u.api_keys.add(api_key("org_b", name="x")))


async def test_an_api_key_of_another_org_looks_missing(accounts: Store) -> None:
    theirs = api_key("org_b")
    await committed(accounts, THEM, lambda u: u.api_keys.add(theirs))

    with pytest.raises(ApiKeyNotFound):
        await read(accounts, ME, lambda u: u.api_keys.get(theirs.key_id))
    assert await read(accounts, ME, lambda u: u.api_keys.list()) == []
    revoked = theirs.model_copy(update={"revoked_at": b.NOW})
    with pytest.raises(ApiKeyNotFound):
        await committed(accounts, ME, lambda u: u.api_keys.update(revoked))
    with pytest.raises(Forbidden):
        await committed(accounts, ME, lambda u: u.api_keys.add(api_key("org_b", "dddddddddddd")))
    assert await read(accounts, THEM, lambda u: u.api_keys.get(theirs.key_id)) == theirs


async def test_an_api_key_update_replaces_the_stored_key(accounts: Store) -> None:
    key = api_key()
    await committed(accounts, ME, lambda u: u.api_keys.add(key))
    revoked = key.model_copy(update={"revoked_at": b.NOW + timedelta(hours=1)})

    await committed(accounts, ME, lambda u: u.api_keys.update(revoked))

    assert await read(accounts, ME, lambda u: u.api_keys.get(key.key_id)) == revoked
    with pytest.raises(ApiKeyNotFound):
        await committed(accounts, ME, lambda u: u.api_keys.update(api_key(key_id="zzzzzzzzzzzz")))
    moved = revoked.model_copy(update={"principal_id": "sa_2"})
    with pytest.raises(ApiKeyNotFound):
        await committed(accounts, ME, lambda u: u.api_keys.update(moved))


async def test_storing_an_api_key_without_an_audit_event_is_refused(accounts: Store) -> None:
    async with accounts.unit_of_work(ME) as uow:
        await uow.api_keys.add(api_key())
        with pytest.raises(IntegrityViolation):
            await uow.commit()

    assert await read(accounts, ME, lambda u: u.api_keys.list()) == []


async def test_the_lookup_finds_a_key_of_any_org_with_its_service_account(
    accounts: Store,
) -> None:
    theirs = api_key("org_b")
    await committed(accounts, THEM, lambda u: u.api_keys.add(theirs))

    grant = await accounts.credentials.api_key(theirs.key_id)

    assert grant is not None
    assert grant.key == theirs
    assert grant.account == b.service_account("org_b", 1)
    assert await accounts.credentials.api_key("zzzzzzzzzzzz") is None


async def test_the_lookup_never_sees_a_key_that_was_rolled_back(accounts: Store) -> None:
    async with accounts.unit_of_work(ME) as uow:
        await uow.api_keys.add(api_key())
        await uow.audit.record("test.changed", resource_type="test", resource_id="test")

    assert await accounts.credentials.api_key(api_key().key_id) is None


async def test_touching_a_key_records_when_it_was_used_without_an_audit_event(
    accounts: Store,
) -> None:
    key = api_key()
    await committed(accounts, ME, lambda u: u.api_keys.add(key))
    used_at = b.NOW + timedelta(minutes=5)

    await accounts.credentials.touch_api_key(key, used_at)

    touched = key.model_copy(update={"last_used_at": used_at})
    assert await read(accounts, ME, lambda u: u.api_keys.get(key.key_id)) == touched
    grant = await accounts.credentials.api_key(key.key_id)
    assert grant is not None
    assert grant.key == touched


async def test_touching_a_key_changed_since_it_was_read_changes_nothing(accounts: Store) -> None:
    key = api_key()
    await committed(accounts, ME, lambda u: u.api_keys.add(key))
    revoked = key.model_copy(update={"revoked_at": b.NOW + timedelta(minutes=1)})
    await committed(accounts, ME, lambda u: u.api_keys.update(revoked))

    await accounts.credentials.touch_api_key(key, b.NOW + timedelta(minutes=5))

    assert await read(accounts, ME, lambda u: u.api_keys.get(key.key_id)) == revoked
