"""Human accounts through the service layer, on every store: the first admin, users,
roles, teams, passwords and signing in, and every way each one refuses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from account_helpers import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    ORG,
    USER_PASSWORD,
    Store,
    add_user,
    as_principal,
    audit_events,
    audit_text,
    bootstrap,
    system,
)

from pearl_core.domain.enums import PrincipalKind, Role
from pearl_core.domain.identity import Principal, User
from pearl_core.errors import OrgNotFound, PearlError
from pearl_core.ports import UnitOfWork
from pearl_core.services.accounts import (
    add_team_member,
    authenticate_password,
    bootstrap_admin,
    create_team,
    create_user,
    disable_user,
    enable_user,
    list_teams,
    list_users,
    remove_team_member,
    set_password,
    set_user_roles,
)
from pearl_core.testing import FakeClock, make_agent, make_org, make_principal

pytestmark = pytest.mark.anyio


@pytest.fixture
def store(any_store: Store) -> Store:
    return any_store


@pytest.fixture
async def admin(store: Store, clock: FakeClock) -> Principal:
    return as_principal(await bootstrap(store, clock))


async def fails(work: Awaitable[Any], code: str, **details: Any) -> PearlError:
    with pytest.raises(PearlError) as caught:
        await work
    assert caught.value.code == code
    for name, value in details.items():
        assert caught.value.details[name] == value
    return caught.value


async def login(store: Store, email: str, password: str) -> Principal:
    return await authenticate_password(store.credentials, email, password)


# -- the first admin ---------------------------------------------------------------


async def test_bootstrap_creates_the_org_and_a_first_admin_who_can_sign_in(
    store: Store, clock: FakeClock
) -> None:
    admin = await bootstrap(store, clock)

    principal = await login(store, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert (principal.subject_id, principal.org_id) == (admin.user_id, ORG)
    assert (principal.kind, principal.roles) == (PrincipalKind.HUMAN, frozenset({Role.ADMIN}))
    events = await audit_events(store)
    assert [event.action for event in events] == ["org.created", "user.created"]
    assert {event.actor_kind for event in events} == {PrincipalKind.SYSTEM}


async def test_bootstrap_refuses_once_the_org_has_an_admin(
    store: Store, clock: FakeClock, admin: Principal
) -> None:
    await fails(bootstrap(store, clock), "already_exists", reason="admin_exists")

    assert [user.user_id for user in await list_users(store.unit_of_work(admin))] == [
        admin.subject_id
    ]


async def test_bootstrap_adds_the_first_admin_to_an_org_that_exists_without_one(
    store: Store, clock: FakeClock
) -> None:
    async with store.unit_of_work(system()) as uow:
        await uow.orgs.add(make_org(org_id=ORG))
        await uow.audit.record("org.created", resource_type="org", resource_id=ORG)
        await uow.commit()

    admin = await bootstrap(store, clock)

    assert admin.roles == frozenset({Role.ADMIN})


async def test_bootstrap_with_a_short_password_stores_nothing(
    store: Store, clock: FakeClock
) -> None:
    await fails(
        bootstrap_admin(
            store,
            org_id=ORG,
            org_name="Acme",
            email=ADMIN_EMAIL,
            display_name="Admin",
            password="short",
            clock=clock,
        ),
        "validation_failed",
        field="password",
    )

    async with store.unit_of_work(system()) as uow:
        with pytest.raises(OrgNotFound):
            await uow.orgs.get()


# -- users and roles -----------------------------------------------------------------


async def test_an_admin_creates_users_who_sign_in_with_their_roles(
    store: Store, clock: FakeClock, admin: Principal
) -> None:
    user = await add_user(store, admin, clock, "dev@example.com", {Role.OPERATOR, Role.REVIEWER})

    principal = await login(store, "Dev@Example.com", USER_PASSWORD)

    assert principal.subject_id == user.user_id
    assert principal.roles == frozenset({Role.OPERATOR, Role.REVIEWER})
    created = (await audit_events(store))[-1]
    assert (created.action, created.actor_id) == ("user.created", admin.subject_id)
    assert created.details["roles"] == ["operator", "reviewer"]


async def test_a_taken_email_is_already_exists_whatever_its_case(
    store: Store, clock: FakeClock, admin: Principal
) -> None:
    await fails(add_user(store, admin, clock, ADMIN_EMAIL.upper(), {Role.VIEWER}), "already_exists")


@pytest.mark.parametrize(
    ("roles", "reason"),
    [
        ({"root"}, "unknown_role"),
        (set(), "no_roles"),
        ({Role.SERVICE_ACCOUNT}, "service_account_role"),
    ],
)
async def test_users_hold_only_human_roles(
    store: Store, clock: FakeClock, admin: Principal, roles: set[Any], reason: str
) -> None:
    await fails(
        create_user(store.unit_of_work(admin), "x@example.com", "X", roles, clock=clock),
        "validation_failed",
        reason=reason,
    )


async def test_bad_email_or_short_password_is_validation_failed(
    store: Store, clock: FakeClock, admin: Principal
) -> None:
    await fails(add_user(store, admin, clock, "not-an-email", {Role.VIEWER}), "validation_failed")
    await fails(
        add_user(store, admin, clock, "x@example.com", {Role.VIEWER}, password="short"),
        "validation_failed",
        reason="too_short",
    )
    assert len(await list_users(store.unit_of_work(admin))) == 1


async def test_an_admin_changes_roles_and_nobody_changes_their_own(
    store: Store, clock: FakeClock, admin: Principal
) -> None:
    user = await add_user(store, admin, clock, "dev@example.com", {Role.VIEWER})

    changed = await set_user_roles(store.unit_of_work(admin), user.user_id, [Role.OPERATOR])

    assert changed.roles == frozenset({Role.OPERATOR})
    await fails(
        set_user_roles(store.unit_of_work(admin), admin.subject_id, [Role.VIEWER]),
        "forbidden",
        reason="self_role_change",
    )
    event = (await audit_events(store))[-1]
    assert event.action == "user.roles_changed"
    assert event.details == {"before": ["viewer"], "after": ["operator"]}


async def test_the_last_enabled_admin_can_be_neither_demoted_nor_disabled(
    store: Store, clock: FakeClock, admin: Principal
) -> None:
    second = as_principal(await add_user(store, admin, clock, "b@example.com", {Role.ADMIN}))
    await set_user_roles(store.unit_of_work(second), admin.subject_id, [Role.OPERATOR])

    # ``admin`` still carries its old roles, as an unexpired access token would.
    await fails(
        set_user_roles(store.unit_of_work(admin), second.subject_id, [Role.VIEWER]),
        "conflict",
        reason="last_admin",
    )
    await fails(
        disable_user(store.unit_of_work(admin), second.subject_id, clock=clock),
        "conflict",
        reason="last_admin",
    )


async def test_a_disabled_admin_does_not_count_as_another_admin(
    store: Store, clock: FakeClock, admin: Principal
) -> None:
    second = as_principal(await add_user(store, admin, clock, "b@example.com", {Role.ADMIN}))
    await disable_user(store.unit_of_work(admin), second.subject_id, clock=clock)

    await fails(
        set_user_roles(store.unit_of_work(second), admin.subject_id, [Role.VIEWER]),
        "conflict",
        reason="last_admin",
    )


async def test_unknown_users_and_teams_are_not_found(
    store: Store, clock: FakeClock, admin: Principal
) -> None:
    team = await create_team(store.unit_of_work(admin), "AppSec", clock=clock)

    await fails(set_user_roles(store.unit_of_work(admin), "usr_nobody", ["viewer"]), "not_found")
    await fails(disable_user(store.unit_of_work(admin), "usr_nobody", clock=clock), "not_found")
    await fails(add_team_member(store.unit_of_work(admin), team.team_id, "usr_nobody"), "not_found")
    await fails(
        add_team_member(store.unit_of_work(admin), "team_nobody", admin.subject_id), "not_found"
    )


# -- who may manage accounts ----------------------------------------------------------


def _manage_calls(clock: FakeClock) -> list[Callable[[UnitOfWork], Awaitable[Any]]]:
    return [
        lambda uow: create_user(uow, "x@example.com", "X", [Role.VIEWER], clock=clock),
        lambda uow: set_user_roles(uow, "usr_someone", [Role.VIEWER]),
        lambda uow: disable_user(uow, "usr_someone", clock=clock),
        lambda uow: enable_user(uow, "usr_someone"),
        lambda uow: list_users(uow),
        lambda uow: create_team(uow, "Red", clock=clock),
        lambda uow: list_teams(uow),
        lambda uow: add_team_member(uow, "team_x", "usr_someone"),
        lambda uow: remove_team_member(uow, "team_x", "usr_someone"),
        lambda uow: set_password(uow, "usr_someone", USER_PASSWORD, clock=clock),
    ]


async def test_service_accounts_can_manage_no_account_at_all(
    store: Store, clock: FakeClock, admin: Principal
) -> None:
    agent = make_agent(org_id=ORG)

    for call in _manage_calls(clock):
        await fails(call(store.unit_of_work(agent)), "human_required")
    await fails(
        set_password(store.unit_of_work(agent), agent.subject_id, USER_PASSWORD, clock=clock),
        "human_required",
    )


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR, Role.REVIEWER])
async def test_only_admins_manage_accounts(
    store: Store, clock: FakeClock, admin: Principal, role: Role
) -> None:
    human = make_principal(org_id=ORG, roles={role})

    for call in _manage_calls(clock):
        await fails(call(store.unit_of_work(human)), "forbidden")


# -- disabling ---------------------------------------------------------------------------


async def test_a_disabled_user_cannot_sign_in_until_enabled_again(
    store: Store, clock: FakeClock, admin: Principal
) -> None:
    user = await add_user(store, admin, clock, "dev@example.com", {Role.OPERATOR})

    await disable_user(store.unit_of_work(admin), user.user_id, clock=clock)

    await fails(login(store, "dev@example.com", USER_PASSWORD), "unauthenticated")
    await fails(
        disable_user(store.unit_of_work(admin), user.user_id, clock=clock), "invalid_transition"
    )
    await fails(
        disable_user(store.unit_of_work(admin), admin.subject_id, clock=clock),
        "forbidden",
        reason="self_disable",
    )
    await enable_user(store.unit_of_work(admin), user.user_id)
    assert (await login(store, "dev@example.com", USER_PASSWORD)).subject_id == user.user_id
    await fails(enable_user(store.unit_of_work(admin), user.user_id), "invalid_transition")


# -- teams ---------------------------------------------------------------------------------


async def test_teams_are_created_once_per_name_and_gain_and_lose_members(
    store: Store, clock: FakeClock, admin: Principal
) -> None:
    team = await create_team(store.unit_of_work(admin), "AppSec", clock=clock)
    user = await add_user(store, admin, clock, "dev@example.com", {Role.OPERATOR})

    joined = await add_team_member(store.unit_of_work(admin), team.team_id, user.user_id)
    again = await add_team_member(store.unit_of_work(admin), team.team_id, user.user_id)

    assert joined.team_ids == again.team_ids == (team.team_id,)
    left = await remove_team_member(store.unit_of_work(admin), team.team_id, user.user_id)
    assert left.team_ids == ()
    assert await list_teams(store.unit_of_work(admin)) == [team]
    await fails(create_team(store.unit_of_work(admin), "AppSec", clock=clock), "already_exists")
    actions = [event.action for event in await audit_events(store)]
    assert actions.count("team.member_added") == 1
    assert actions.count("team.member_removed") == 1


# -- signing in -------------------------------------------------------------------------------


async def test_every_failed_sign_in_is_the_same_unauthenticated(
    store: Store, clock: FakeClock, admin: Principal
) -> None:
    await add_user(store, admin, clock, "nopass@example.com", {Role.VIEWER}, password=None)
    disabled = await add_user(store, admin, clock, "gone@example.com", {Role.VIEWER})
    await disable_user(store.unit_of_work(admin), disabled.user_id, clock=clock)
    attempts = [
        (ADMIN_EMAIL, "wrong-password-0001"),
        ("nobody@example.com", ADMIN_PASSWORD),
        ("nopass@example.com", USER_PASSWORD),
        ("gone@example.com", USER_PASSWORD),
        ("", ADMIN_PASSWORD),
        (ADMIN_EMAIL, ""),
        ("x" * 400 + "@example.com", ADMIN_PASSWORD),
    ]

    errors = [(await fails(login(store, *attempt), "unauthenticated")) for attempt in attempts]

    assert {(error.message, tuple(error.details.items())) for error in errors} == {
        ("the email or password is wrong", (("reason", "invalid_credentials"),))
    }


async def test_an_email_in_two_orgs_signs_in_with_the_org_named(
    store: Store, clock: FakeClock, admin: Principal
) -> None:
    other = await bootstrap(store, clock, org_id="org_other")

    await fails(login(store, ADMIN_EMAIL, ADMIN_PASSWORD), "unauthenticated")
    principal = await authenticate_password(
        store.credentials, ADMIN_EMAIL, ADMIN_PASSWORD, org_id="org_other"
    )
    assert principal.subject_id == other.user_id


# -- passwords ---------------------------------------------------------------------------------


async def test_a_user_changes_their_own_password_with_the_current_one(
    store: Store, clock: FakeClock, admin: Principal
) -> None:
    user = as_principal(await add_user(store, admin, clock, "dev@example.com", {Role.VIEWER}))
    new = "a-brand-new-password"

    await fails(
        set_password(store.unit_of_work(user), user.subject_id, new, clock=clock),
        "forbidden",
        reason="current_password_mismatch",
    )
    await fails(
        set_password(
            store.unit_of_work(user),
            user.subject_id,
            new,
            current_password="not-the-password",
            clock=clock,
        ),
        "forbidden",
        reason="current_password_mismatch",
    )
    await set_password(
        store.unit_of_work(user), user.subject_id, new, current_password=USER_PASSWORD, clock=clock
    )

    await fails(login(store, "dev@example.com", USER_PASSWORD), "unauthenticated")
    assert (await login(store, "dev@example.com", new)).subject_id == user.subject_id


async def test_an_admin_sets_anyone_s_password_and_others_may_not(
    store: Store, clock: FakeClock, admin: Principal
) -> None:
    user = await add_user(store, admin, clock, "dev@example.com", {Role.OPERATOR}, password=None)
    operator = as_principal(await add_user(store, admin, clock, "op@example.com", {Role.OPERATOR}))

    await set_password(store.unit_of_work(admin), user.user_id, "set-by-the-admin-1", clock=clock)

    assert (await login(store, "dev@example.com", "set-by-the-admin-1")).subject_id == user.user_id
    await fails(
        set_password(store.unit_of_work(operator), user.user_id, "x" * 20, clock=clock),
        "forbidden",
    )
    await fails(
        set_password(store.unit_of_work(admin), user.user_id, "short", clock=clock),
        "validation_failed",
    )
    await fails(
        set_password(store.unit_of_work(admin), "usr_nobody", "x" * 20, clock=clock), "not_found"
    )


async def test_no_password_or_hash_ever_reaches_the_audit_log(
    store: Store, clock: FakeClock, admin: Principal
) -> None:
    user = await add_user(store, admin, clock, "dev@example.com", {Role.OPERATOR})
    await set_password(store.unit_of_work(admin), user.user_id, "the-reset-password", clock=clock)
    await fails(login(store, "dev@example.com", "a-wrong-password-1"), "unauthenticated")

    text = await audit_text(store)

    for secret in (ADMIN_PASSWORD, USER_PASSWORD, "the-reset-password", "a-wrong-password-1"):
        assert secret not in text
    assert "scrypt" not in text
    async with store.unit_of_work(admin) as uow:
        stored = await uow.passwords.password_hash_for(user.user_id)
    assert stored is not None
    assert stored.split("$")[-1] not in text


async def test_users_list_without_their_password_hashes(
    store: Store, clock: FakeClock, admin: Principal
) -> None:
    users: list[User] = await list_users(store.unit_of_work(admin))

    assert "scrypt" not in "".join(user.model_dump_json() for user in users)


async def test_a_disabled_user_cannot_change_their_own_password(
    store: Store, clock: FakeClock, admin: Principal
) -> None:
    user = as_principal(await add_user(store, admin, clock, "dev@example.com", {Role.VIEWER}))
    await disable_user(store.unit_of_work(admin), user.subject_id, clock=clock)

    await fails(
        set_password(
            store.unit_of_work(user),
            user.subject_id,
            "a-brand-new-password",
            current_password=USER_PASSWORD,
            clock=clock,
        ),
        "forbidden",
        reason="user_disabled",
    )
