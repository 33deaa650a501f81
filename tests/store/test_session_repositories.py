"""Password hashes and refresh-token records in every store (memory, SQLite, PostgreSQL):
the org-bound repositories, their compare-and-set, and the org-agnostic lookups."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

import anyio
import pytest
import store_builders as b

from pearl_core.domain.identity import Principal
from pearl_core.domain.sessions import RefreshTokenRecord
from pearl_core.errors import AlreadyExists, Conflict, Forbidden, IntegrityViolation, NotFound
from pearl_core.ports import UnitOfWork
from pearl_core.store import SqlStore
from pearl_core.testing import InMemoryStore

pytestmark = pytest.mark.anyio

T = TypeVar("T")
Store = SqlStore | InMemoryStore

ME = b.principal("org_a")
THEM = b.principal("org_b")
HASH = "scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA==$" + "A" * 43 + "="
LATER = b.NOW + timedelta(minutes=5)


def token(
    n: int = 1, *, org_id: str = "org_a", family: int = 1, **overrides: Any
) -> RefreshTokenRecord:
    fields: dict[str, Any] = {
        "jti": f"jti{n:029d}",
        "family_id": f"family{family:026d}",
        "org_id": org_id,
        "subject_id": "usr_1",
        "issued_at": b.NOW + timedelta(seconds=n),
        "expires_at": b.NOW + timedelta(days=1),
    }
    return RefreshTokenRecord(**(fields | overrides))


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
async def users(any_store: Store) -> Store:
    """``usr_1`` and ``usr_2`` in org_a, ``usr_1`` in org_b (same email as org_a's)."""

    async def seed(uow: UnitOfWork) -> None:
        await uow.users.add(b.user(uow.principal.org_id, 1))
        if uow.principal.org_id == "org_a":
            await uow.users.add(b.user("org_a", 2))

    await committed(any_store, ME, seed)
    await committed(any_store, THEM, seed)
    return any_store


# -- passwords -------------------------------------------------------------------


async def test_a_password_hash_is_set_replaced_and_read_back(users: Store) -> None:
    await committed(users, ME, lambda uow: uow.passwords.set_password_hash("usr_1", HASH))
    assert await read(users, ME, lambda uow: uow.passwords.password_hash_for("usr_1")) == HASH

    await committed(users, ME, lambda uow: uow.passwords.set_password_hash("usr_1", HASH + "x"))

    assert await read(users, ME, lambda uow: uow.passwords.password_hash_for("usr_1")) == HASH + "x"
    assert await read(users, ME, lambda uow: uow.passwords.password_hash_for("usr_2")) is None


async def test_a_password_needs_its_user_and_stays_in_its_org(users: Store) -> None:
    with pytest.raises(NotFound):
        await committed(users, ME, lambda uow: uow.passwords.set_password_hash("usr_9", HASH))
    await committed(users, ME, lambda uow: uow.passwords.set_password_hash("usr_1", HASH))

    assert await read(users, THEM, lambda uow: uow.passwords.password_hash_for("usr_1")) is None


async def test_the_user_document_never_carries_the_password_hash(users: Store) -> None:
    await committed(users, ME, lambda uow: uow.passwords.set_password_hash("usr_1", HASH))

    user = await read(users, ME, lambda uow: uow.users.get("usr_1"))

    assert HASH not in user.model_dump_json()


async def test_setting_a_password_is_a_state_change_that_needs_an_audit_record(
    users: Store,
) -> None:
    async with users.unit_of_work(ME) as uow:
        await uow.passwords.set_password_hash("usr_1", HASH)
        with pytest.raises(IntegrityViolation):
            await uow.commit()

    assert await read(users, ME, lambda uow: uow.passwords.password_hash_for("usr_1")) is None


# -- refresh tokens --------------------------------------------------------------


async def test_refresh_tokens_are_added_found_and_listed_by_family(users: Store) -> None:
    first, second, other = token(1), token(2), token(3, family=2)

    async def add(uow: UnitOfWork) -> None:
        for record in (second, first, other):
            await uow.refresh_tokens.add(record)

    await committed(users, ME, add)

    assert await read(users, ME, lambda uow: uow.refresh_tokens.find(first.jti)) == first
    family = await read(users, ME, lambda uow: uow.refresh_tokens.family(first.family_id))
    assert family == [first, second]
    assert await read(users, ME, lambda uow: uow.refresh_tokens.find("unknown" * 4)) is None


async def test_a_refresh_token_id_is_unique_across_orgs(users: Store) -> None:
    await committed(users, ME, lambda uow: uow.refresh_tokens.add(token(1)))

    with pytest.raises(AlreadyExists):
        await committed(users, THEM, lambda uow: uow.refresh_tokens.add(token(1, org_id="org_b")))
    assert await read(users, THEM, lambda uow: uow.refresh_tokens.find(token(1).jti)) is None


async def test_a_refresh_token_needs_its_user_and_its_own_org(users: Store) -> None:
    with pytest.raises(NotFound):
        await committed(users, ME, lambda uow: uow.refresh_tokens.add(token(1, subject_id="usr_9")))
    with pytest.raises(Forbidden):
        await committed(users, ME, lambda uow: uow.refresh_tokens.add(token(1, org_id="org_b")))


async def test_mark_used_is_a_compare_and_set(users: Store) -> None:
    await committed(users, ME, lambda uow: uow.refresh_tokens.add(token(1)))
    jti = token(1).jti

    first = await committed(
        users,
        ME,
        lambda uow: uow.refresh_tokens.mark_used(jti, used_at=LATER, replaced_by="n" * 32),
    )
    second = await committed(
        users,
        ME,
        lambda uow: uow.refresh_tokens.mark_used(jti, used_at=LATER, replaced_by="m" * 32),
    )

    assert (first, second) == (True, False)
    stored = await read(users, ME, lambda uow: uow.refresh_tokens.find(jti))
    assert stored is not None
    assert (stored.used_at, stored.replaced_by) == (LATER, "n" * 32)


async def test_a_revoked_or_foreign_token_cannot_be_marked_used(users: Store) -> None:
    await committed(users, ME, lambda uow: uow.refresh_tokens.add(token(1)))
    jti = token(1).jti

    assert not await committed(
        users,
        THEM,
        lambda uow: uow.refresh_tokens.mark_used(jti, used_at=LATER, replaced_by="n" * 32),
    )
    await committed(
        users, ME, lambda uow: uow.refresh_tokens.revoke_family(token(1).family_id, at=LATER)
    )
    assert not await committed(
        users,
        ME,
        lambda uow: uow.refresh_tokens.mark_used(jti, used_at=LATER, replaced_by="n" * 32),
    )


async def test_of_two_concurrent_mark_used_exactly_one_wins(users: Store) -> None:
    await committed(users, ME, lambda uow: uow.refresh_tokens.add(token(1)))
    outcomes: list[bool] = []

    async def attempt(replacement: str) -> None:
        async with users.unit_of_work(ME) as uow:
            won = await uow.refresh_tokens.mark_used(
                token(1).jti, used_at=LATER, replaced_by=replacement
            )
            await uow.audit.record("test.changed", resource_type="test", resource_id="test")
            try:
                await uow.commit()
            except Conflict:  # the in-memory store's optimistic commit
                won = False
        outcomes.append(won)

    with anyio.fail_after(20):
        async with anyio.create_task_group() as group:
            group.start_soon(attempt, "a" * 32)
            group.start_soon(attempt, "b" * 32)

    assert sorted(outcomes) == [False, True]


async def test_revoking_a_family_revokes_each_live_token_once(users: Store) -> None:
    async def add(uow: UnitOfWork) -> None:
        for record in (token(1), token(2), token(3, family=2)):
            await uow.refresh_tokens.add(record)

    await committed(users, ME, add)
    family_id = token(1).family_id

    revoked = await committed(
        users, ME, lambda uow: uow.refresh_tokens.revoke_family(family_id, at=LATER)
    )
    again = await committed(
        users, ME, lambda uow: uow.refresh_tokens.revoke_family(family_id, at=LATER)
    )

    assert (revoked, again) == (2, 0)
    family = await read(users, ME, lambda uow: uow.refresh_tokens.family(family_id))
    assert [record.revoked_at for record in family] == [LATER, LATER]
    other = await read(users, ME, lambda uow: uow.refresh_tokens.find(token(3).jti))
    assert other is not None
    assert other.revoked_at is None


async def test_revoking_a_subject_revokes_every_session_of_that_user_only(users: Store) -> None:
    async def add(uow: UnitOfWork) -> None:
        await uow.refresh_tokens.add(token(1))
        await uow.refresh_tokens.add(token(2, family=2))
        await uow.refresh_tokens.add(token(3, family=3, subject_id="usr_2"))

    await committed(users, ME, add)

    revoked = await committed(
        users, ME, lambda uow: uow.refresh_tokens.revoke_subject("usr_1", at=LATER)
    )

    assert revoked == 2
    kept = await read(users, ME, lambda uow: uow.refresh_tokens.find(token(3).jti))
    assert kept is not None
    assert kept.revoked_at is None
    untouched = await committed(
        users, THEM, lambda uow: uow.refresh_tokens.revoke_subject("usr_1", at=LATER)
    )
    assert untouched == 0


# -- the org-agnostic lookups ----------------------------------------------------


async def test_a_login_is_found_by_email_in_any_case(users: Store) -> None:
    await committed(users, ME, lambda uow: uow.passwords.set_password_hash("usr_2", HASH))

    logins = await users.credentials.user_logins("USER2@Example.COM")

    assert [(x.user.user_id, x.user.org_id, x.password_hash) for x in logins] == [
        ("usr_2", "org_a", HASH)
    ]
    assert HASH not in repr(logins)


async def test_no_login_for_an_unknown_email_or_a_user_without_password(users: Store) -> None:
    assert await users.credentials.user_logins("nobody@example.com") == []
    assert await users.credentials.user_logins("user2@example.com") == []


async def test_an_email_with_passwords_in_two_orgs_has_a_login_in_each(users: Store) -> None:
    await committed(users, ME, lambda uow: uow.passwords.set_password_hash("usr_1", HASH))
    await committed(users, THEM, lambda uow: uow.passwords.set_password_hash("usr_1", HASH))

    both = await users.credentials.user_logins("user1@example.com")
    in_b = await users.credentials.user_logins("user1@example.com", org_id="org_b")

    assert sorted(login.user.org_id for login in both) == ["org_a", "org_b"]
    assert [login.user.org_id for login in in_b] == ["org_b"]


async def test_a_user_is_found_by_email_only_in_its_own_org(users: Store) -> None:
    found = await users.credentials.user_by_email("org_a", "USER2@example.com")

    assert found is not None
    assert found.user_id == "usr_2"
    assert await users.credentials.user_by_email("org_b", "user2@example.com") is None


async def test_a_refresh_token_is_found_with_its_user_whatever_the_org(users: Store) -> None:
    record = token(1, org_id="org_b")
    await committed(users, THEM, lambda uow: uow.refresh_tokens.add(record))

    grant = await users.credentials.refresh_token(record.jti)

    assert grant is not None
    assert grant.token == record
    assert (grant.user.user_id, grant.user.org_id) == ("usr_1", "org_b")
    assert await users.credentials.refresh_token("unknown" * 4) is None
