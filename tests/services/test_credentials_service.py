"""Service accounts and API keys through the service layer, on every store: who may
create, mint and revoke; what a key resolves to; and every way a key fails."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from pearl_core import PearlError
from pearl_core.authz import Permission, authorize
from pearl_core.domain.credentials import ApiKey
from pearl_core.domain.enums import PrincipalKind, Role
from pearl_core.domain.identity import Principal, ServiceAccount
from pearl_core.ports import ApiKeyGrant, CredentialLookup
from pearl_core.services.credentials import (
    create_api_key,
    create_service_account,
    list_api_keys,
    resolve_api_key,
    revoke_api_key,
)
from pearl_core.store import SqlStore
from pearl_core.store.tables import api_keys
from pearl_core.testing import FakeClock, InMemoryStore, make_agent, make_org, make_principal

pytestmark = pytest.mark.anyio

Store = SqlStore | InMemoryStore

OWNER = make_principal(subject_id="usr_owner", roles={Role.OPERATOR})
OTHER = make_principal(subject_id="usr_other", roles={Role.OPERATOR})
ADMIN = make_principal(subject_id="usr_admin", roles={Role.ADMIN})
STRANGER = make_principal(org_id="org_elsewhere", subject_id="usr_owner", roles={Role.ADMIN})
PEPPER = b"fake-test-pepper-not-a-secret-0123456789"
MONTH = timedelta(days=30)


async def seed_org(store: Store, who: Principal) -> None:
    async with store.unit_of_work(who) as uow:
        await uow.orgs.add(make_org(org_id=who.org_id))
        await uow.audit.record("org.created", resource_type="org", resource_id=who.org_id)
        await uow.commit()


@pytest.fixture
async def store(any_store: Store) -> Store:
    await seed_org(any_store, OWNER)
    return any_store


@pytest.fixture
async def account(store: Store, clock: FakeClock) -> ServiceAccount:
    return await create_service_account(store.unit_of_work(OWNER), "ci-bot", clock=clock)


async def mint(
    store: Store,
    account: ServiceAccount,
    clock: FakeClock,
    *,
    who: Principal = OWNER,
    scopes: Sequence[Permission] = (),
    expires_in: timedelta = MONTH,
    pepper: bytes = PEPPER,
) -> tuple[ApiKey, str]:
    return await create_api_key(
        store.unit_of_work(who),
        account.service_account_id,
        name="ci",
        scopes=scopes,
        expires_in=expires_in,
        pepper=pepper,
        clock=clock,
    )


async def resolve(store: Store, credential: str, clock: FakeClock) -> Principal | None:
    return await resolve_api_key(store.credentials, credential, pepper=PEPPER, clock=clock)


async def audit_log(store: Store, who: Principal = OWNER) -> list[tuple[str, str, str]]:
    async with store.unit_of_work(who) as uow:
        return [
            (event.action, event.resource_id, event.model_dump_json())
            async for event in uow.audit.events()
        ]


def code_of(caught: pytest.ExceptionInfo[PearlError]) -> str:
    return caught.value.code


async def test_a_service_account_is_owned_by_the_human_who_created_it_and_audited(
    store: Store, clock: FakeClock
) -> None:
    account = await create_service_account(store.unit_of_work(OWNER), "ci-bot", clock=clock)

    assert account.owner_user_id == OWNER.subject_id
    assert account.roles == frozenset({Role.SERVICE_ACCOUNT})
    assert account.service_account_id.startswith("sa_")
    events = await audit_log(store)
    assert events[-1][:2] == ("service_account.created", account.service_account_id)


@pytest.mark.parametrize(
    ("who", "code"),
    [
        (make_agent(), "human_required"),
        (make_principal(kind=PrincipalKind.SYSTEM, roles={Role.OPERATOR}), "human_required"),
        (make_principal(roles={Role.VIEWER}), "forbidden"),
        (make_principal(roles={Role.REVIEWER}), "forbidden"),
    ],
)
async def test_only_operators_and_admins_create_service_accounts(
    store: Store, clock: FakeClock, who: Principal, code: str
) -> None:
    with pytest.raises(PearlError) as caught:
        await create_service_account(store.unit_of_work(who), "ci-bot", clock=clock)

    assert code_of(caught) == code


async def test_a_service_account_name_is_unique_in_the_org(
    store: Store, account: ServiceAccount, clock: FakeClock
) -> None:
    with pytest.raises(PearlError) as caught:
        await create_service_account(store.unit_of_work(ADMIN), account.name, clock=clock)

    assert code_of(caught) == "already_exists"


async def test_a_minted_key_resolves_to_its_service_account_in_its_org(
    store: Store, account: ServiceAccount, clock: FakeClock
) -> None:
    key, shown = await mint(store, account, clock)

    principal = await resolve(store, shown, clock)

    assert shown.startswith(f"pearl_{key.key_id}_")
    assert principal == Principal(
        org_id=OWNER.org_id,
        subject_id=account.service_account_id,
        kind=PrincipalKind.SERVICE_ACCOUNT,
        roles=frozenset({Role.SERVICE_ACCOUNT}),
        display_name=account.name,
        owner_user_id=OWNER.subject_id,
    )
    assert key.expires_at == clock.now() + MONTH
    assert key.created_by == OWNER.subject_id


async def test_neither_the_audit_log_nor_the_stored_key_holds_the_secret(
    store: Store, account: ServiceAccount, clock: FakeClock
) -> None:
    key, shown = await mint(store, account, clock)
    await revoke_api_key(store.unit_of_work(OWNER), key.key_id, clock=clock)
    secret = shown.rsplit("_", 1)[1]

    events = await audit_log(store)
    stored = await list_api_keys(store.unit_of_work(OWNER))

    assert [action for action, _, _ in events[-2:]] == ["api_key.created", "api_key.revoked"]
    assert all(secret not in dumped and key.digest not in dumped for _, _, dumped in events)
    assert [k.key_id for k in stored] == [key.key_id]
    assert secret not in stored[0].model_dump_json()


async def test_the_database_row_holds_the_digest_never_the_secret(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    sql = SqlStore(engine, clock=clock)
    await seed_org(sql, OWNER)
    account = await create_service_account(sql.unit_of_work(OWNER), "ci-bot", clock=clock)
    key, shown = await mint(sql, account, clock)

    async with engine.connect() as connection:
        rows = (await connection.execute(select(api_keys))).mappings().all()

    assert len(rows) == 1
    assert key.digest in rows[0]["doc"]
    assert all(shown.rsplit("_", 1)[1] not in str(value) for value in rows[0].values())


async def test_every_bad_key_resolves_to_nothing(
    store: Store, account: ServiceAccount, clock: FakeClock
) -> None:
    key, shown = await mint(store, account, clock)
    secret = shown.rsplit("_", 1)[1]
    wrong_secret = f"pearl_{key.key_id}_{'a' * len(secret)}"
    unknown_id = f"pearl_{'z' * 12}_{secret}"
    bad = [
        wrong_secret,
        unknown_id,
        "",
        "pearl",
        shown.upper(),
        shown + "a",
        shown[:-1],
        f"pearl_{key.key_id}_{secret[:-1]}_",
        shown.replace("pearl_", "pearI_"),
        f"{shown} ",
    ]

    assert [await resolve(store, credential, clock) for credential in bad] == [None] * len(bad)
    assert await resolve(store, shown, clock) is not None


async def test_a_key_checked_with_another_pepper_resolves_to_nothing(
    store: Store, account: ServiceAccount, clock: FakeClock
) -> None:
    _, shown = await mint(store, account, clock)

    other = await resolve_api_key(store.credentials, shown, pepper=PEPPER[::-1], clock=clock)

    assert other is None


async def test_an_expired_key_resolves_to_nothing(
    store: Store, account: ServiceAccount, clock: FakeClock
) -> None:
    _, shown = await mint(store, account, clock, expires_in=timedelta(hours=1))
    clock.advance(timedelta(minutes=59))
    assert await resolve(store, shown, clock) is not None

    clock.advance(timedelta(minutes=1))

    assert await resolve(store, shown, clock) is None


async def test_a_revoked_key_resolves_to_nothing(
    store: Store, account: ServiceAccount, clock: FakeClock
) -> None:
    key, shown = await mint(store, account, clock)

    revoked = await revoke_api_key(store.unit_of_work(OWNER), key.key_id, clock=clock)

    assert revoked.revoked_at == clock.now()
    assert await resolve(store, shown, clock) is None


async def test_a_key_of_a_disabled_service_account_resolves_to_nothing(
    store: Store, account: ServiceAccount, clock: FakeClock
) -> None:
    _, shown = await mint(store, account, clock)

    async with store.unit_of_work(ADMIN) as uow:
        await uow.service_accounts.update(account.model_copy(update={"disabled": True}))
        await uow.audit.record(
            "service_account.disabled",
            resource_type="service_account",
            resource_id=account.service_account_id,
        )
        await uow.commit()

    assert await resolve(store, shown, clock) is None


class RecordingLookup:
    """The store's lookup, remembering which key ids were asked for and touched."""

    def __init__(self, inner: CredentialLookup) -> None:
        self.inner = inner
        self.asked: list[str] = []
        self.touched: list[str] = []

    async def api_key(self, key_id: str) -> ApiKeyGrant | None:
        self.asked.append(key_id)
        return await self.inner.api_key(key_id)

    async def touch_api_key(self, key: ApiKey, used_at: datetime) -> None:
        self.touched.append(key.key_id)
        await self.inner.touch_api_key(key, used_at)


async def test_malformed_unknown_and_wrong_keys_all_cost_one_lookup_and_touch_nothing(
    store: Store, account: ServiceAccount, clock: FakeClock
) -> None:
    key, shown = await mint(store, account, clock)
    lookup = RecordingLookup(store.credentials)
    secret = shown.rsplit("_", 1)[1]
    bad = ["garbage", f"pearl_{'z' * 12}_{secret}", f"pearl_{key.key_id}_{'a' * len(secret)}"]

    for credential in bad:
        assert await resolve_api_key(lookup, credential, pepper=PEPPER, clock=clock) is None

    assert len(lookup.asked) == 3
    assert lookup.asked[1:] == ["z" * 12, key.key_id]
    assert lookup.touched == []


async def test_last_use_is_recorded_at_most_once_a_minute(
    store: Store, account: ServiceAccount, clock: FakeClock
) -> None:
    key, shown = await mint(store, account, clock)
    lookup = RecordingLookup(store.credentials)
    first_use = clock.now()

    for _ in range(3):
        await resolve_api_key(lookup, shown, pepper=PEPPER, clock=clock)
        clock.advance(20)
    await resolve_api_key(lookup, shown, pepper=PEPPER, clock=clock)

    assert lookup.touched == [key.key_id, key.key_id]
    stored = await list_api_keys(store.unit_of_work(OWNER))
    assert stored[0].last_used_at == first_use + timedelta(seconds=60)


async def test_scopes_beyond_what_the_service_account_may_do_are_forbidden(
    store: Store, account: ServiceAccount, clock: FakeClock
) -> None:
    for beyond in (Permission.FINDINGS_INGEST, Permission.APPROVALS_DECIDE, Permission.ORG_ADMIN):
        with pytest.raises(PearlError) as caught:
            await mint(store, account, clock, scopes=[Permission.PACKETS_READ, beyond])
        assert code_of(caught) == "forbidden"

    assert await list_api_keys(store.unit_of_work(OWNER)) == []


async def test_a_scoped_key_resolves_to_a_principal_held_to_its_scopes(
    store: Store, account: ServiceAccount, clock: FakeClock
) -> None:
    scopes = [Permission.PACKETS_READ, Permission.PACKETS_WORK]
    key, shown = await mint(store, account, clock, scopes=scopes)

    principal = await resolve(store, shown, clock)

    assert key.scopes == tuple(scopes)
    assert principal is not None
    assert principal.scopes == frozenset(scopes)
    authorize(principal, Permission.PACKETS_WORK)
    with pytest.raises(PearlError) as caught:
        authorize(principal, Permission.FINDINGS_READ)
    assert code_of(caught) == "insufficient_scope"


async def test_only_the_owner_or_an_admin_may_mint_keys(
    store: Store, account: ServiceAccount, clock: FakeClock
) -> None:
    with pytest.raises(PearlError) as caught:
        await mint(store, account, clock, who=OTHER)
    assert code_of(caught) == "forbidden"
    with pytest.raises(PearlError) as caught:
        await mint(store, account, clock, who=make_agent(subject_id=account.service_account_id))
    assert code_of(caught) == "human_required"

    key, _ = await mint(store, account, clock, who=ADMIN)

    assert key.created_by == ADMIN.subject_id


async def test_only_the_owner_or_an_admin_may_revoke_keys(
    store: Store, account: ServiceAccount, clock: FakeClock
) -> None:
    first, _ = await mint(store, account, clock)
    second, _ = await mint(store, account, clock)

    with pytest.raises(PearlError) as caught:
        await revoke_api_key(store.unit_of_work(OTHER), first.key_id, clock=clock)
    assert code_of(caught) == "forbidden"
    await revoke_api_key(store.unit_of_work(OWNER), first.key_id, clock=clock)
    await revoke_api_key(store.unit_of_work(ADMIN), second.key_id, clock=clock)

    stored = await list_api_keys(store.unit_of_work(OWNER))
    assert all(k.revoked_at is not None for k in stored)


async def test_revoking_a_key_twice_is_an_invalid_transition(
    store: Store, account: ServiceAccount, clock: FakeClock
) -> None:
    key, _ = await mint(store, account, clock)
    await revoke_api_key(store.unit_of_work(OWNER), key.key_id, clock=clock)

    with pytest.raises(PearlError) as caught:
        await revoke_api_key(store.unit_of_work(OWNER), key.key_id, clock=clock)

    assert code_of(caught) == "invalid_transition"


async def test_keys_and_accounts_of_another_org_are_not_found(
    store: Store, account: ServiceAccount, clock: FakeClock
) -> None:
    key, _ = await mint(store, account, clock)
    await seed_org(store, STRANGER)

    with pytest.raises(PearlError) as revoking:
        await revoke_api_key(store.unit_of_work(STRANGER), key.key_id, clock=clock)
    with pytest.raises(PearlError) as minting:
        await mint(store, account, clock, who=STRANGER)

    assert (code_of(revoking), code_of(minting)) == ("not_found", "not_found")


@pytest.mark.parametrize(
    ("expires_in", "code"),
    [
        (timedelta(days=90, seconds=1), "limit_exceeded"),
        (timedelta(0), "validation_failed"),
        (timedelta(days=-1), "validation_failed"),
    ],
)
async def test_a_key_must_expire_within_the_longest_lifetime_allowed(
    store: Store, account: ServiceAccount, clock: FakeClock, expires_in: timedelta, code: str
) -> None:
    with pytest.raises(PearlError) as caught:
        await mint(store, account, clock, expires_in=expires_in)

    assert code_of(caught) == code


async def test_a_shorter_configured_lifetime_is_enforced(
    store: Store, account: ServiceAccount, clock: FakeClock
) -> None:
    with pytest.raises(PearlError) as caught:
        await create_api_key(
            store.unit_of_work(OWNER),
            account.service_account_id,
            name="ci",
            scopes=[],
            expires_in=timedelta(days=8),
            pepper=PEPPER,
            clock=clock,
            max_lifetime=timedelta(days=7),
        )

    assert code_of(caught) == "limit_exceeded"


async def test_a_short_pepper_is_a_configuration_error(
    store: Store, account: ServiceAccount, clock: FakeClock
) -> None:
    _, shown = await mint(store, account, clock)

    with pytest.raises(PearlError) as minting:
        await mint(store, account, clock, pepper=b"too-short")
    with pytest.raises(PearlError) as resolving:
        await resolve_api_key(store.credentials, shown, pepper=b"", clock=clock)

    assert (code_of(minting), code_of(resolving)) == ("configuration_error",) * 2


async def test_a_key_for_a_disabled_or_unknown_service_account_is_refused(
    store: Store, account: ServiceAccount, clock: FakeClock
) -> None:
    ghost = account.model_copy(update={"service_account_id": "sa_ghost"})
    with pytest.raises(PearlError) as unknown:
        await mint(store, ghost, clock)
    async with store.unit_of_work(ADMIN) as uow:
        await uow.service_accounts.update(account.model_copy(update={"disabled": True}))
        await uow.audit.record("test.disabled", resource_type="test", resource_id="test")
        await uow.commit()
    with pytest.raises(PearlError) as disabled:
        await mint(store, account, clock)

    assert (code_of(unknown), code_of(disabled)) == ("not_found", "forbidden")
